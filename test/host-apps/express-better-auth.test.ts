// grantor in an Express 5 app whose users sign in with better-auth (email and password, on better-auth's
// memory adapter), written in TypeScript as better-auth's installation and Express guides start one: the
// docs' createTokenRoute block, with getUser reading better-auth's session and `req` unannotated, so
// `tsc` checks that the user type comes from getUser (better-auth's user, with its `role` field), not
// Passport's Express.User.
import { expect } from 'vitest';
import { describeExpressHostApp } from './support/express-app.js';

describeExpressHostApp({
  app: 'express-better-auth',
  env: { BETTER_AUTH_SECRET: 'host-app-better-auth-secret-0123456789' },
  readyPath: '/api/auth/ok',
  parserInflates: true,
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
