import type { Config } from '@react-router/dev/config';

export default {
  // Config options...
  // Server-side render by default, to enable SPA mode set this to `false`
  ssr: true,
  future: {
    // Middleware and the router context it fills (React Router 7.9+).
    v8_middleware: true,
  },
} satisfies Config;
