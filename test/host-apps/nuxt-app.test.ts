// grantor in a Nuxt 3 app made as `npm create nuxt@latest` (minimal template) makes one: sessions read by
// server/middleware/session.ts into event.context, a form login (server/routes/login.post.ts), and the
// docs' server/api/token.ts (an h3 event handler for every method). Installed by name from the
// run's registry with npm, type-checked with `nuxt typecheck` (vue-tsc) and built with `nuxt build` without any
// TWILIO_* variable, then run with `node .output/server/index.mjs`.
import { describeFormLoginApp } from './support/form-login-app.js';

describeFormLoginApp({
  app: 'nuxt-app',
  // nuxt typecheck prints only errors; its exit code says whether there were any.
  check: { script: 'typecheck', passes: /nuxt typecheck/ },
  routeFile: 'server/api/token.ts',
  startArgs: ['.output/server/index.mjs'],
  // h3's toWebRequest(event) throws "Invalid URL", and so does Nitro's error handler (both call getRequestURL).
  failsOnMalformedHost: "h3's getRequestURL, in toWebRequest and in Nitro's error handler, throws when Host is not a URL host: 500",
});
