// grantor in an Express 4 app whose users sign in with Auth.js (@auth/express, mounted on /auth/* as
// its reference starts one; a Credentials provider, JWT sessions), written in TypeScript: the README's
// createTokenRoute block, getUser reading Auth.js's session with `req` unannotated and identity(user)
// naming the id the session callback copies, checked by `tsc` against the packed types.
import { expect } from 'vitest';
import { describeExpressHostApp } from './support/express-app.js';
import type { Client } from './support/http.js';

/** Auth.js's own sign-in and sign-out: form posts carrying the CSRF token from GET /auth/csrf. */
async function authForm(client: Client, path: string, fields: Record<string, string> = {}): Promise<void> {
  const { csrfToken } = (await client.request('/auth/csrf')).json as { csrfToken: string };
  const answer = await client.postForm(path, { csrfToken, ...fields });
  expect(answer.status, answer.text).toBe(302);
  expect(answer.headers.get('location')).not.toMatch(/error/);
}

describeExpressHostApp({
  app: 'express-authjs',
  env: { AUTH_SECRET: 'host-app-auth-js-secret-0123456789abcdef' },
  readyPath: '/auth/csrf',
  logIn: (client, _app, username) => authForm(client, '/auth/callback/credentials', { username, password: `${username}-pass` }),
  logOut: (client) => authForm(client, '/auth/signout'),
});
