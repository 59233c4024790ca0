// grantor in an Express 4 app built like Passport's own example (passport/todos-express-password):
// CommonJS, express ~4.16.1, express.json() and CSRF middleware app-wide before everything, sessions,
// form login. grantor is installed by name with npm (from the run's registry) and mounted as the docs say.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGrantorError, expectToken, docsGive, TWILIO_ENV } from './support/grantor.js';
import { installCommandLine, installHostApp, packPackages, startApp, type AppProcess, type InstalledApp, type Packed } from './support/host-app.js';
import { createClient, type Client } from './support/http.js';

let packed: Packed;
let installed: InstalledApp;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core', '@grantor/express']);
  installed = await installHostApp('express-todos', packed);
  console.log(`express-todos: ${installed.installCommand} took ${installed.install.ms} ms`);
});
afterAll(() => {
  installed?.cleanup();
  packed?.cleanup();
});

/** The app as `npm start` runs it, with the CSRF setup `csrf` (see app.js). */
function startTodos(csrf: string): Promise<AppProcess> {
  return startApp({
    cwd: installed.dir,
    args: ['./bin/www'],
    env: (port) => ({ ...TWILIO_ENV, CSRF: csrf, APP_ORIGIN: `http://127.0.0.1:${port}` }),
    readyPath: '/login',
  });
}

const match = (text: string, pattern: RegExp): string => {
  const found = pattern.exec(text);
  expect(found, `${pattern} in ${text}`).not.toBeNull();
  return found![1]!;
};
const formToken = (html: string) => match(html, /name="_csrf" value="([^"]+)"/);

/** Logs in with the login page's form (and its CSRF token), then returns the CSRF token of the home page. */
async function logIn(client: Client, username: string, password: string): Promise<string> {
  const login = await client.postForm('/login/password', { username, password, _csrf: formToken((await client.request('/login')).text) });
  expect(login.status, login.text).toBe(302);
  expect(login.headers.get('location')).toBe('/');
  return match((await client.request('/')).text, /<meta name="csrf-token" content="([^"]+)"/);
}

describe("npm install by name, from the run's registry", () => {
  it('succeeds: no ERESOLVE with express ~4.16.1 in the app', () => {
    expect(installed.install.code, installed.install.stderr).toBe(0);
    expect(installed.install.stderr).not.toContain('ERESOLVE');
    const express = JSON.parse(readFileSync(join(installed.dir, 'node_modules/express/package.json'), 'utf8')) as { version: string };
    expect(express.version).toMatch(/^4\.16\./);
  });

  it('is the command the docs give', () => {
    const line = installCommandLine(packed);
    expect(installed.installCommand.startsWith(line)).toBe(true);
    expect(docsGive('express', line), `the docs give ${line}`).toBe(true);
  });

  it("mounts the route and exempts it from csurf with the docs' lines", () => {
    const app = readFileSync(join(installed.dir, 'app.js'), 'utf8');
    for (const line of [
      "app.use((req, res, next) => (req.path === '/api/token' ? next() : csrfProtection(req, res, next)));",
      "app.use(\n  '/api/token',\n  createTokenRoute({",
    ]) {
      expect(app.includes(line), `app.js has ${line}`).toBe(true);
      expect(docsGive('express', line), `the docs give ${line}`).toBe(true);
    }
  });
});

describe.each([
  { csrf: 'csurf', header: 'CSRF-Token' },
  { csrf: 'csrf-csrf', header: 'X-CSRF-Token' },
])('with app-wide $csrf', ({ csrf, header }) => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startTodos(csrf);
  });
  afterAll(() => app?.stop());

  it('issues a token to the logged-in user when the request carries the CSRF token', async () => {
    const client = createClient(app.url);
    const token = await logIn(client, 'alice', 'alice-pass');
    const answer = await client.postJson('/api/token', '{"room":"standup"}', { [header]: token });
    expect(expectToken(answer, '1')).toMatchObject({ video: { room: 'standup' }, chat: {} });

    const bob = createClient(app.url);
    const bobToken = await logIn(bob, 'bob', 'bob-pass');
    expectToken(await bob.postJson('/api/token', '{"room":"lobby"}', { [header]: bobToken }), '2');
    const refused = await bob.postJson('/api/token', '{"room":"standup"}', { [header]: bobToken });
    expectGrantorError(refused, 403, 'FORBIDDEN');
    expect(refused.json).toMatchObject({ error: { message: 'Guests may only join the lobby.' } });
  });

  it('answers a missing or wrong CSRF token with a JSON 403, not the HTML error page', async () => {
    const client = createClient(app.url);
    const token = await logIn(client, 'alice', 'alice-pass');
    expectGrantorError(await client.postJson('/api/token', '{"room":"standup"}'), 403, 'FORBIDDEN');
    expectGrantorError(await client.postJson('/api/token', '{"room":"standup"}', { [header]: `${token}x` }), 403, 'FORBIDDEN');
  });

  it("answers invalid JSON, which the app-wide express.json() rejects, with grantor's JSON 400", async () => {
    const client = createClient(app.url);
    const token = await logIn(client, 'alice', 'alice-pass');
    expectGrantorError(await client.postJson('/api/token', '{"room":', { [header]: token }), 400, 'BAD_REQUEST');
    expectGrantorError(await createClient(app.url).postJson('/api/token', '{"room":'), 400, 'BAD_REQUEST');
  });

  it("answers an oversized body with a JSON 413, within express.json()'s 100 kB limit and beyond it", async () => {
    const client = createClient(app.url);
    const token = await logIn(client, 'alice', 'alice-pass');
    // 10 kB: express.json() parses it, grantor's bodyLimit (8192) refuses it.
    const overGrantor = JSON.stringify({ room: 'standup', padding: 'x'.repeat(10_000) });
    expectGrantorError(await client.postJson('/api/token', overGrantor, { [header]: token }), 413, 'PAYLOAD_TOO_LARGE');
    // 200 kB: express.json() refuses it first.
    const overParser = JSON.stringify({ room: 'standup', padding: 'x'.repeat(200_000) });
    expectGrantorError(await client.postJson('/api/token', overParser, { [header]: token }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers 401 once the user has logged out, and before anyone logged in', async () => {
    const client = createClient(app.url);
    const token = await logIn(client, 'alice', 'alice-pass');
    const logout = await client.postForm('/logout', { _csrf: token });
    expect(logout.status, logout.text).toBe(302);
    const anonymousToken = formToken((await client.request('/login')).text);
    expectGrantorError(await client.postJson('/api/token', '{"room":"standup"}', { [header]: anonymousToken }), 401, 'UNAUTHENTICATED');

    const stranger = createClient(app.url);
    const strangerToken = formToken((await stranger.request('/login')).text);
    expectGrantorError(await stranger.postJson('/api/token', '{"room":"lobby"}', { [header]: strangerToken }), 401, 'UNAUTHENTICATED');
  });

  it("leaves the app's other routes to the app's own error handler", async () => {
    const client = createClient(app.url);
    await logIn(client, 'alice', 'alice-pass');
    const logout = await client.postForm('/logout', {});
    expect(logout.status).toBe(403);
    expect(logout.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('with the token route exempted from csurf and allowedOrigins set', () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startTodos('csurf-exempt');
  });
  afterAll(() => app?.stop());

  it('issues a token to a same-origin request without a CSRF token', async () => {
    const client = createClient(app.url);
    await logIn(client, 'alice', 'alice-pass');
    expectToken(await client.postJson('/api/token', '{"room":"standup"}', { Origin: app.url, 'Sec-Fetch-Site': 'same-origin' }), '1');
  });

  it('refuses a cross-origin request with 403 ORIGIN_NOT_ALLOWED', async () => {
    const client = createClient(app.url);
    await logIn(client, 'alice', 'alice-pass');
    expectGrantorError(await client.postJson('/api/token', '{"room":"standup"}', { Origin: 'https://evil.example' }), 403, 'ORIGIN_NOT_ALLOWED');
    expectGrantorError(await client.postJson('/api/token', '{"room":"standup"}', { 'Sec-Fetch-Site': 'cross-site' }), 403, 'ORIGIN_NOT_ALLOWED');
  });

  it('still protects the login form with csurf', async () => {
    const login = await createClient(app.url).postForm('/login/password', { username: 'alice', password: 'alice-pass' });
    expect(login.status).toBe(403);
  });
});

describe('started without TWILIO_* in the environment', () => {
  it.each([
    { unset: 'TWILIO_ACCOUNT_SID', names: /accountSid/ },
    { unset: 'TWILIO_API_KEY_SID', names: /keys(\[0\])?\.sid|key sid/i },
    { unset: 'TWILIO_API_KEY_SECRET', names: /secret/i },
  ])('runs; a token request answers 500 and the server log names the missing value when $unset is unset', async ({ unset, names }) => {
    const app = await startApp({ cwd: installed.dir, args: ['./bin/www'], env: { ...TWILIO_ENV, CSRF: 'csurf', [unset]: undefined }, readyPath: '/login' });
    try {
      const client = createClient(app.url);
      const token = await logIn(client, 'alice', 'alice-pass');
      expectGrantorError(await client.postJson('/api/token', '{"room":"standup"}', { 'CSRF-Token': token }), 500, 'INTERNAL_ERROR');
      await expect.poll(() => app.stderr(), { timeout: 5_000 }).toMatch(/\[grantor\] token request failed with 500\./);
      const stderr = app.stderr();
      expect(stderr).toMatch(names);
      expect(stderr).toContain(unset);
      expect(stderr).toMatch(/missing/i);
      expect(stderr).not.toContain('undefined undefined');
      expect(stderr).not.toContain(TWILIO_ENV.TWILIO_API_KEY_SECRET);
    } finally {
      await app.stop();
    }
  });
});
