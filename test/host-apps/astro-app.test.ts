// grantor in an Astro 5 app made as `npm create astro@latest -- --template minimal` makes one, with the
// Node adapter (`npx astro add node`, standalone): sessions read by src/middleware.ts into Astro.locals,
// a form login, and the docs' src/pages/api/token.ts (an `ALL` endpoint). Installed by name with npm
// from the run's registry, type-checked with `astro check` and built with `astro build` without any TWILIO_*
// variable, then run with `node dist/server/entry.mjs`.
import { describeFormLoginApp } from './support/form-login-app.js';

describeFormLoginApp({
  app: 'astro-app',
  check: { script: 'check', passes: /- 0 errors/ },
  routeFile: 'src/pages/api/token.ts',
  startArgs: ['dist/server/entry.mjs'],
});
