// grantor in a React Router 7 framework-mode app made as `npx create-react-router` makes one (default
// template, without Tailwind), served by react-router-serve: cookie session storage, a root middleware
// that puts the session's user in the router context, a form-action login, and the docs' resource
// route app/routes/api.token.ts (`action` plus `loader`). Installed from the packed tarball with npm,
// type-checked (`react-router typegen && tsc`) and built without any TWILIO_* variable.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { docsGive } from './support/grantor.js';
import { appEnv, installCommandLine, installHostApp, packPackages, run, startApp, type InstalledApp, type Packed, type RunResult } from './support/host-app.js';
import { describeTokenRoute } from './support/token-route-contract.js';

let packed: Packed;
let installed: InstalledApp;
let typecheck: RunResult;
let build: RunResult;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core']);
  installed = await installHostApp('react-router-app', packed);
  // appEnv() has no TWILIO_* variable: the build evaluates the route module, which creates the route.
  typecheck = await run('npm', ['run', 'typecheck'], { cwd: installed.dir, env: appEnv() });
  build = await run('npm', ['run', 'build'], { cwd: installed.dir, env: appEnv() });
  console.log(
    `react-router-app: ${installed.installCommand} took ${installed.install.ms} ms, npm run typecheck ${typecheck.ms} ms, npm run build ${build.ms} ms`,
  );
}, 600_000);
afterAll(() => {
  installed?.cleanup();
  packed?.cleanup();
});

it('installs from the tarball, type-checks and builds without TWILIO_*', () => {
  expect(installed.install.code, installed.install.stderr).toBe(0);
  expect(typecheck.code, `${typecheck.stdout}\n${typecheck.stderr}`).toBe(0);
  expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
});

it("the token route is the docs' api.token.ts, and the install line is the docs'", () => {
  const route = readFileSync(join(installed.dir, 'app/routes/api.token.ts'), 'utf8');
  expect(docsGive('core', route), 'the docs give app/routes/api.token.ts').toBe(true);
  expect(docsGive('core', installCommandLine(packed)), `the docs give ${installCommandLine(packed)}`).toBe(true);
});

describeTokenRoute({
  start: (env) =>
    startApp({
      cwd: installed.dir,
      args: ['node_modules/@react-router/serve/bin.js', './build/server/index.js'],
      env: (port) => ({ ...env, HOST: '127.0.0.1', ORIGIN: `http://127.0.0.1:${port}` }),
      readyPath: '/login',
    }),
  async logIn(client, app, username) {
    const login = await client.postForm('/login', { username, password: `${username}-pass` }, { origin: app.url, accept: 'text/html' });
    expect([login.status, login.headers.get('location')], login.text).toEqual([302, '/']);
  },
  async logOut(client, app) {
    expect((await client.postForm('/logout', {}, { origin: app.url, accept: 'text/html' })).status).toBe(302);
  },
  guestTtl: 600,
  rateLimit: true,
  startsWithoutCredentials: true,
  // Before any route module: @react-router/express's createRequest throws "Invalid URL" (500, stack logged).
  failsOnMalformedHost: 'react-router-serve builds the Request from Host and answers 500 when it is not a URL host',
});
