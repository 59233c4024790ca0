// examples/workers-hono in workerd, as `wrangler dev` runs it: bundled with esbuild the way wrangler
// bundles a Worker, loaded by Miniflare with wrangler.toml's compatibility date
// and [vars], and no compatibility flags: no nodejs_compat. (Wrangler 4 itself needs Node 22.12.)
import { verifyAccessToken } from '@grantor/core';
import type { Miniflare } from 'miniflare';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localBindings, startWorker, toml, vars } from '../../examples/workers-hono/scripts/local.mjs';

const ORIGIN = 'http://localhost:8787';

const credentials = { accountSid: vars.TWILIO_ACCOUNT_SID!, keys: { sid: vars.TWILIO_API_KEY_SID!, secret: vars.TWILIO_API_KEY_SECRET! } };

let mf: Miniflare;

/** A request to the Worker, with the session cookie when given one. */
function send(path: string, { cookie, origin, json, method = 'POST' }: { cookie?: string; origin?: string; json?: unknown; method?: string } = {}) {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (origin) headers.origin = origin;
  if (json !== undefined) headers['content-type'] = 'application/json';
  return mf.dispatchFetch(`${ORIGIN}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
}

/** The `name=value` a browser would send back from this Set-Cookie; '' when it deletes the cookie. */
function cookieFrom(response: { headers: { get(name: string): string | null } }): string {
  const setCookie = response.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/^session=/);
  return /Max-Age=0/i.test(setCookie) ? '' : setCookie.split(';')[0]!;
}

async function login(username: string, password: string): Promise<string> {
  const response = await send('/login', { origin: ORIGIN, json: { username, password } });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ user: { id: username } });
  const setCookie = response.headers.get('set-cookie')!;
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Lax/i);
  return cookieFrom(response);
}

async function expectError(response: Awaited<ReturnType<typeof send>>, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.json()).toMatchObject({ error: { code } });
}

beforeAll(async () => {
  // The point of the example: no compatibility flags, so no nodejs_compat (a comment names it).
  expect(toml.replace(/#.*$/gm, '')).not.toMatch(/compatibility_flags|nodejs/);
  // This repository's packages from their TypeScript (`source`), so no build is needed.
  mf = await startWorker({ conditions: ['source'] });
});

afterAll(() => mf?.dispose());

describe('the Workers + Hono example', () => {
  it('serves its page at /', async () => {
    const response = await send('/', { method: 'GET' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('<form id="login">');
  });

  it('refuses a token to a visitor who is not logged in: 401 JSON, no-store', async () => {
    await expectError(await send('/api/token', { origin: ORIGIN, json: { room: 'lobby' } }), 401, 'UNAUTHENTICATED');
  });

  it('refuses a wrong password and a login from another site', async () => {
    await expectError(await send('/login', { origin: ORIGIN, json: { username: 'alice', password: 'bob-pass' } }), 401, 'UNAUTHENTICATED');
    await expectError(await send('/login', { origin: 'https://evil.example', json: { username: 'alice', password: 'alice-pass' } }), 403, 'ORIGIN_NOT_ALLOWED');
  });

  it('logs in with a signed cookie and issues a token that verifies, for that user', async () => {
    const cookie = await login('alice', 'alice-pass');
    const response = await send('/api/token', { cookie, origin: ORIGIN, json: { room: 'standup' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { token: string; identity: string; expiresAt: string; ttl: number };
    expect(body).toMatchObject({ identity: 'alice', ttl: 3600 });
    const { claims } = verifyAccessToken(body.token, credentials);
    expect(claims.grants).toEqual({ identity: 'alice', video: { room: 'standup' } });
    expect(new Date(body.expiresAt).getTime()).toBe(claims.exp! * 1000);
  });

  it('takes a form login too, and keeps a guest in the lobby', async () => {
    const form = await mf.dispatchFetch(`${ORIGIN}/login`, {
      method: 'POST',
      headers: { origin: ORIGIN },
      body: new URLSearchParams({ username: 'bob', password: 'bob-pass' }),
    });
    expect(form.status).toBe(200);
    const cookie = cookieFrom(form);
    await expectError(await send('/api/token', { cookie, origin: ORIGIN, json: { room: 'standup' } }), 403, 'FORBIDDEN');
    const lobby = await send('/api/token', { cookie, origin: ORIGIN, json: { room: 'lobby' } });
    expect(lobby.status).toBe(200);
    expect(await lobby.json()).toMatchObject({ identity: 'bob', ttl: 600 });
  });

  it('reads a tampered cookie as nobody: 401', async () => {
    const cookie = await login('bob', 'bob-pass');
    // Same signature, another user: the HMAC no longer matches.
    const forged = cookie.replace('session=bob', 'session=alice');
    expect(forged).not.toBe(cookie);
    await expectError(await send('/api/token', { cookie: forged, origin: ORIGIN, json: { room: 'lobby' } }), 401, 'UNAUTHENTICATED');
    await expectError(await send('/api/token', { cookie: `${cookie.slice(0, -3)}AAA`, origin: ORIGIN, json: { room: 'lobby' } }), 401, 'UNAUTHENTICATED');
  });

  it('refuses a token to a page of another origin: 403', async () => {
    const cookie = await login('alice', 'alice-pass');
    await expectError(await send('/api/token', { cookie, origin: 'https://evil.example', json: { room: 'lobby' } }), 403, 'ORIGIN_NOT_ALLOWED');
  });

  it('answers 401 again after logout', async () => {
    let cookie = await login('alice', 'alice-pass');
    expect((await send('/api/token', { cookie, origin: ORIGIN, json: {} })).status).toBe(200);
    const logout = await send('/logout', { cookie, origin: ORIGIN });
    expect(logout.status).toBe(200);
    cookie = cookieFrom(logout);
    expect(cookie).toBe('');
    await expectError(await send('/api/token', { cookie, origin: ORIGIN, json: {} }), 401, 'UNAUTHENTICATED');
  });

  it('leaves other methods to grantor: 405 with Allow', async () => {
    const response = await send('/api/token', { method: 'GET' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('`local` on Node 20, as `wrangler dev` does', () => {
  it('signs with the credentials of .dev.vars, over [vars], and takes its ALLOWED_ORIGINS for another PORT', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'grantor-dev-vars-'));
    const own = { accountSid: `AC${'1'.repeat(32)}`, keys: { sid: `SK${'2'.repeat(32)}`, secret: 'a-secret-of-my-own' } };
    const origin = 'http://localhost:8797';
    writeFileSync(
      join(folder, '.dev.vars'),
      `TWILIO_ACCOUNT_SID=${own.accountSid}\nTWILIO_API_KEY_SID=${own.keys.sid}\nTWILIO_API_KEY_SECRET="${own.keys.secret}"\nALLOWED_ORIGINS=${origin}\n`,
    );
    expect(localBindings(join(folder, 'none'))).toEqual(vars);
    const local = await startWorker({ conditions: ['source'], bindings: localBindings(join(folder, '.dev.vars')) });
    try {
      const post = (path: string, headers: Record<string, string>, json: unknown) =>
        local.dispatchFetch(`${origin}${path}`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json', ...headers },
          body: JSON.stringify(json),
        });
      const login = await post('/login', {}, { username: 'alice', password: 'alice-pass' });
      expect(login.status).toBe(200);
      const response = await post('/api/token', { cookie: cookieFrom(login) }, { room: 'standup' });
      expect(response.status).toBe(200);
      const { token } = (await response.json()) as { token: string };
      expect(verifyAccessToken(token, own).claims.grants).toEqual({ identity: 'alice', video: { room: 'standup' } });
      expect(() => verifyAccessToken(token, credentials)).toThrow();
    } finally {
      await local.dispose();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
