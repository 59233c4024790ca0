import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PAGE_DIR } from '@grantor/demo-kit';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';

// The shared demo page's stylesheet, read rather than copied, so the three demos look alike.
const pageStyles = /<style>([\s\S]*?)<\/style>/.exec(readFileSync(join(PAGE_DIR, 'index.html'), 'utf8'))?.[1] ?? '';

// Its favicon too, inline: no request for /favicon.ico, which the app does not have.
const favicon = `data:image/svg+xml,${encodeURIComponent(readFileSync(join(PAGE_DIR, 'favicon.svg'), 'utf8').trim())}`;

export const metadata: Metadata = { title: 'grantor demo: Twilio Access Tokens for logged-in users', icons: { icon: { url: favicon, type: 'image/svg+xml' } } };

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
