// grantor in an Express 5 app whose users sign in with better-auth (email and password, on better-auth's
// memory adapter), written in TypeScript as better-auth's installation and Express guides start one: the
// README's createTokenRoute block, with getUser reading better-auth's session and `req` unannotated, so
// `tsc` checks that the user type comes from getUser (better-auth's user, with its `role` field), not
// Passport's Express.User. Installed from the packed tarballs with npm, built without TWILIO_*.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readmesGive } from './support/grantor.js';
import { appEnv, installCommandLine, installHostApp, packPackages, run, startApp, type InstalledApp, type Packed, type RunResult } from './support/host-app.js';
import { describeTokenRoute } from './support/token-route-contract.js';

let packed: Packed;
let installed: InstalledApp;
let build: RunResult;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core', '@grantor/express']);
  installed = await installHostApp('express-better-auth', packed);
  build = await run('npm', ['run', 'build'], { cwd: installed.dir, env: appEnv() });
  console.log(`express-better-auth: ${installed.installCommand} took ${installed.install.ms} ms, npm run build (tsc) ${build.ms} ms`);
}, 600_000);
afterAll(() => {
  installed?.cleanup();
  packed?.cleanup();
});

it('installs from the tarballs and compiles with tsc, the user typed from getUser', () => {
  expect(installed.install.code, installed.install.stderr).toBe(0);
  expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
});

it("the token route is the README's, and so is the install line", () => {
  const server = readFileSync(join(installed.dir, 'src/server.ts'), 'utf8');
  const route = /app\.use\(\n {2}'\/api\/token',\n[\s\S]+?\n\);\n/.exec(server)?.[0];
  expect(route, 'server.ts mounts the token route').toBeDefined();
  expect(readmesGive('express', route!), 'a README gives the token route block').toBe(true);
  expect(readmesGive('express', "import { fromNodeHeaders, toNodeHandler } from 'better-auth/node';"), 'a README gives the import').toBe(true);
  expect(readmesGive('express', installCommandLine(packed)), `a README gives ${installCommandLine(packed)}`).toBe(true);
});

describeTokenRoute({
  start: (env) =>
    startApp({
      cwd: installed.dir,
      args: ['dist/server.js'],
      env: (port) => ({ ...env, ORIGIN: `http://127.0.0.1:${port}`, BETTER_AUTH_SECRET: 'host-app-better-auth-secret-0123456789' }),
      readyPath: '/api/auth/ok',
    }),
  async logIn(client, app, username) {
    const body = JSON.stringify({ email: `${username}@example.com`, password: `${username}-pass` });
    const login = await client.postJson('/api/auth/sign-in/email', body, { origin: app.url });
    expect(login.status, login.text).toBe(200);
  },
  async logOut(client, app) {
    const logout = await client.postJson('/api/auth/sign-out', '{}', { origin: app.url });
    expect(logout.status, logout.text).toBe(200);
  },
});
