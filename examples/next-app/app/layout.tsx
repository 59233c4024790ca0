import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PAGE_DIR } from '@grantor/demo-kit';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';

// The shared demo page's stylesheet, read rather than copied, so the three demos look alike.
const pageStyles = /<style>([\s\S]*?)<\/style>/.exec(readFileSync(join(PAGE_DIR, 'index.html'), 'utf8'))?.[1] ?? '';

export const metadata: Metadata = { title: 'grantor demo: Twilio Access Tokens for logged-in users' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <style dangerouslySetInnerHTML={{ __html: pageStyles }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
