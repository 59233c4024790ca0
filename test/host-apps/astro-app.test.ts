// grantor in an Astro 5 app made as `npm create astro@latest -- --template minimal` makes one, with the
// Node adapter (`npx astro add node`, standalone): sessions read by src/middleware.ts into Astro.locals,
// a form login, and the README's src/pages/api/token.ts (an `ALL` endpoint). Installed from the packed
// tarball with npm, type-checked with `astro check` and built with `astro build` without any TWILIO_*
// variable, then run with `node dist/server/entry.mjs`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readmesGive } from './support/grantor.js';
import { appEnv, installCommandLine, installHostApp, packPackages, run, startApp, type InstalledApp, type Packed, type RunResult } from './support/host-app.js';
import type { Client } from './support/http.js';
import { describeTokenRoute } from './support/token-route-contract.js';

let packed: Packed;
let installed: InstalledApp;
let check: RunResult;
let build: RunResult;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core']);
  installed = await installHostApp('astro-app', packed);
  // appEnv() has no TWILIO_* variable: the build evaluates src/pages/api/token.ts, which creates the route.
  check = await run('npm', ['run', 'check'], { cwd: installed.dir, env: appEnv() });
  build = await run('npm', ['run', 'build'], { cwd: installed.dir, env: appEnv() });
  console.log(`astro-app: ${installed.installCommand} took ${installed.install.ms} ms, npm run check ${check.ms} ms, npm run build ${build.ms} ms`);
}, 600_000);
afterAll(() => {
  installed?.cleanup();
  packed?.cleanup();
});

it('installs from the tarball, passes astro check and builds without TWILIO_*', () => {
  expect(installed.install.code, installed.install.stderr).toBe(0);
  expect(check.code, `${check.stdout}\n${check.stderr}`).toBe(0);
  expect(check.stdout).toMatch(/0 errors/);
  expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
});

it("the token route is the README's src/pages/api/token.ts, and the install line is the README's", () => {
  const route = readFileSync(join(installed.dir, 'src/pages/api/token.ts'), 'utf8');
  expect(readmesGive('core', route), 'a README gives src/pages/api/token.ts').toBe(true);
  expect(readmesGive('core', installCommandLine(packed)), `a README gives ${installCommandLine(packed)}`).toBe(true);
});

/** A browser's form post: Astro's checkOrigin refuses one without the page's Origin. */
const formPost = (client: Client, url: string, path: string, fields: Record<string, string>) => client.postForm(path, fields, { origin: url });

describeTokenRoute({
  start: (env) =>
    startApp({
      cwd: installed.dir,
      args: ['dist/server/entry.mjs'],
      env: (port) => ({ ...env, HOST: '127.0.0.1', ORIGIN: `http://127.0.0.1:${port}` }),
      readyPath: '/login',
    }),
  async logIn(client, app, username) {
    const login = await formPost(client, app.url, '/login', { username, password: `${username}-pass` });
    expect([login.status, login.headers.get('location')], login.text).toEqual([303, '/']);
  },
  async logOut(client, app) {
    expect((await formPost(client, app.url, '/logout', {})).status).toBe(303);
  },
});
