// grantor in an Express 4 app whose users sign in with Auth.js (@auth/express, mounted on /auth/* as
// its reference starts one; a Credentials provider, JWT sessions), written in TypeScript: the README's
// createTokenRoute block, getUser reading Auth.js's session with `req` unannotated and identity(user)
// naming the id the session callback copies, checked by `tsc` against the packed types. Installed from
// the packed tarballs with npm, built without TWILIO_*.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readmesGive } from './support/grantor.js';
import { appEnv, installCommandLine, installHostApp, packPackages, run, startApp, type InstalledApp, type Packed, type RunResult } from './support/host-app.js';
import type { Client } from './support/http.js';
import { describeTokenRoute } from './support/token-route-contract.js';

let packed: Packed;
let installed: InstalledApp;
let build: RunResult;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core', '@grantor/express']);
  installed = await installHostApp('express-authjs', packed);
  build = await run('npm', ['run', 'build'], { cwd: installed.dir, env: appEnv() });
  console.log(`express-authjs: ${installed.installCommand} took ${installed.install.ms} ms, npm run build (tsc) ${build.ms} ms`);
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
  expect(readmesGive('express', installCommandLine(packed)), `a README gives ${installCommandLine(packed)}`).toBe(true);
});

/** Auth.js's own sign-in and sign-out: form posts carrying the CSRF token from GET /auth/csrf. */
async function authForm(client: Client, path: string, fields: Record<string, string> = {}): Promise<void> {
  const { csrfToken } = (await client.request('/auth/csrf')).json as { csrfToken: string };
  const answer = await client.postForm(path, { csrfToken, ...fields });
  expect(answer.status, answer.text).toBe(302);
  expect(answer.headers.get('location')).not.toMatch(/error/);
}

describeTokenRoute({
  start: (env) =>
    startApp({
      cwd: installed.dir,
      args: ['dist/server.js'],
      env: (port) => ({ ...env, ORIGIN: `http://127.0.0.1:${port}`, AUTH_SECRET: 'host-app-auth-js-secret-0123456789abcdef' }),
      readyPath: '/auth/csrf',
    }),
  logIn: (client, _app, username) => authForm(client, '/auth/callback/credentials', { username, password: `${username}-pass` }),
  logOut: (client) => authForm(client, '/auth/signout'),
});
