import { loadCredentials } from '@grantor/demo-kit';

/** The Twilio credentials, or the made-up demo ones. */
export const credentials = loadCredentials();

// `next start -p` sets PORT. The page's own origins; set ALLOWED_ORIGINS (comma-separated) when you open it under another address.
const port = process.env.PORT ?? '3000';
export const allowedOrigins = process.env.ALLOWED_ORIGINS?.split(',').map((origin) => origin.trim()) ?? [
  `http://localhost:${port}`,
  `http://127.0.0.1:${port}`,
];

export const error = (code: string, message: string) => ({ error: { code, message } });
