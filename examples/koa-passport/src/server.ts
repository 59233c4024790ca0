import { DEMO_CREDENTIALS_WARNING, loadCredentials } from '@grantor/demo-kit';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const credentials = loadCredentials();
// The page's own origins; set ALLOWED_ORIGINS (comma-separated) when you open it under another address.
const allowedOrigins = process.env.ALLOWED_ORIGINS?.split(',').map((origin) => origin.trim()) ?? [
  `http://localhost:${port}`,
  `http://127.0.0.1:${port}`,
];

createApp({ credentials, allowedOrigins }).listen(port, () => {
  console.log(`grantor Koa demo: http://localhost:${port}`);
  if (credentials.isDemo) console.warn(DEMO_CREDENTIALS_WARNING);
});
