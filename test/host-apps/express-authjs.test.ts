// grantor in an Express 4 app whose users sign in with Auth.js (@auth/express, mounted on /auth/* as
// its reference starts one; a Credentials provider, JWT sessions), written in TypeScript: the docs'
// createTokenRoute block, getUser reading Auth.js's session with `req` unannotated and identity(user)
// naming the id the session callback copies, checked by `tsc` against the packed types.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeExpressHostApp } from './support/express-app.js';
import { appEnv, HOST_APPS, run } from './support/host-app.js';
import type { Client } from './support/http.js';

/** Auth.js's own sign-in and sign-out: form posts carrying the CSRF token from GET /auth/csrf. */
async function authForm(client: Client, path: string, fields: Record<string, string> = {}): Promise<void> {
  const { csrfToken } = (await client.request('/auth/csrf')).json as { csrfToken: string };
  const answer = await client.postForm(path, { csrfToken, ...fields });
  expect(answer.status, answer.text).toBe(302);
  expect(answer.headers.get('location')).not.toMatch(/error/);
}

const appDir = describeExpressHostApp({
  app: 'express-authjs',
  env: { AUTH_SECRET: 'host-app-auth-js-secret-0123456789abcdef' },
  readyPath: '/auth/csrf',
  logIn: (client, _app, username) => authForm(client, '/auth/callback/credentials', { username, password: `${username}-pass` }),
  logOut: (client) => authForm(client, '/auth/signout'),
});

it("without identity(user), tsc's one error names it and the keys Auth.js's session user has", async () => {
  cpSync(join(HOST_APPS, 'express-authjs-types'), join(appDir(), 'type-tests'), { recursive: true });
  const tsc = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'type-tests'], { cwd: appDir(), env: appEnv() });
  expect(tsc.code).not.toBe(0);
  const errors = tsc.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
  expect(errors, tsc.stdout).toHaveLength(1);
  expect(errors[0]).toContain('type-tests/identity-missing.ts');
  // The line that says what is missing names the fix and every key of the user (in any order).
  const wanted = ['"the user has no required id: pass identity(user)"', ...['id', 'name', 'email', 'image', 'role'].map((key) => `"${key}"`)];
  const lines = tsc.stdout.split('\n').filter((line) => line.includes("Property 'identity' is missing"));
  expect(
    lines.find((line) => wanted.every((part) => line.includes(part))),
    tsc.stdout,
  ).toBeDefined();
}, 120_000);
