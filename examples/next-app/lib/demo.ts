import { demoServerConfig } from '@grantor/demo-kit';

// `next start -p` sets PORT, from which the kit derives the page's own origins.
export const { credentials, allowedOrigins } = demoServerConfig();
