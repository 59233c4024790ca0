// The Next.js demo as it ships: `next build` (when the build is missing or older than its inputs),
// then `next start` as a child process, driven over HTTP with its iron-session cookie.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { verifyAccessToken } from '@grantor/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCredentials } from '../../examples/shared/src/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const APP_DIR = join(ROOT, 'examples/next-app');
const BUILD_ID = join(APP_DIR, '.next/BUILD_ID');
// What the build is made of: the app, the demo kit, and the built packages it imports.
const BUILD_INPUTS = [
  ...['app', 'lib', 'next.config.ts', 'package.json', 'tsconfig.json'].map((name) => join(APP_DIR, name)),
  ...['examples/shared/src', 'examples/shared/page', 'packages/core/dist', 'packages/next/dist'].map((name) => join(ROOT, name)),
];
// An empty environment would work too; passing the demo credentials explicitly keeps a local .env out of the test.
const credentials = loadCredentials({} as NodeJS.ProcessEnv);

function newestChange(path: string): number {
  if (!statSync(path).isDirectory()) return statSync(path).mtimeMs;
  const files = readdirSync(path, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return Math.max(0, ...files.map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs));
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

function buildIfStale(): void {
  if (!existsSync(join(ROOT, 'packages/core/dist')) || !existsSync(join(ROOT, 'packages/next/dist'))) {
    run('pnpm', ['--filter', '@grantor/core', '--filter', '@grantor/next', 'build']);
  }
  const built = existsSync(BUILD_ID) ? statSync(BUILD_ID).mtimeMs : 0;
  if (BUILD_INPUTS.some((input) => newestChange(input) > built)) run('pnpm', ['--filter', '@grantor/example-next-app', 'build']);
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  return port;
}

async function waitUntilServing(url: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}:\n${output()}`);
    if (await fetch(url).then((response) => response.ok, () => false)) return;
    await new Promise((wake) => setTimeout(wake, 200));
  }
  throw new Error(`next start did not answer within 30 s:\n${output()}`);
}

/** A browser stand-in: keeps the cookies the server sets and sends them back. */
function client(baseUrl: string) {
  const cookies = new Map<string, string>();
  return async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(baseUrl + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), cookie: [...cookies.values()].join('; '), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const pair = setCookie.split(';')[0]!;
      const name = pair.slice(0, pair.indexOf('='));
      if (pair.endsWith('=')) cookies.delete(name);
      else cookies.set(name, pair);
    }
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
}

describe('the Next.js demo (next build + next start)', () => {
  let server: ChildProcess;
  let baseUrl: string;
  let output = '';

  beforeAll(async () => {
    buildIfStale();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const { TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET, ...env } = process.env;
    server = spawn(process.execPath, [join(APP_DIR, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: APP_DIR,
      // Its own process group, so afterAll stops next start and anything it spawned.
      detached: true,
      env: {
        ...env,
        NEXT_TELEMETRY_DISABLED: '1',
        TWILIO_ACCOUNT_SID: credentials.accountSid,
        TWILIO_API_KEY_SID: credentials.keys.sid,
        TWILIO_API_KEY_SECRET: credentials.keys.secret,
      },
    });
    server.stdout!.on('data', (chunk) => (output += chunk));
    server.stderr!.on('data', (chunk) => (output += chunk));
    await waitUntilServing(`${baseUrl}/api/me`, server, () => output);
  }, 240_000);

  afterAll(async () => {
    if (server?.exitCode !== null || server.pid === undefined) return;
    const exited = once(server, 'exit');
    process.kill(-server.pid, 'SIGTERM');
    await exited;
  });

  async function loggedIn(username: string, password: string) {
    const send = client(baseUrl);
    const login = await send('POST', '/login', { username, password });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(login.body.user).toMatchObject({ id: username, username });
    return send;
  }

  test('alice (host) gets a token with video, chat and voice, verified with the demo credentials', async () => {
    const send = await loggedIn('alice', 'alice-pass');
    expect((await send('GET', '/api/me')).body.user).toEqual({ id: 'alice', username: 'alice', role: 'host' });
    const response = await send('POST', '/api/token', { room: 'standup' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body.identity).toBe('alice');
    const { claims } = verifyAccessToken(response.body.token, credentials);
    expect(claims.grants).toEqual({ identity: 'alice', video: { room: 'standup' }, chat: {}, voice: { incoming: { allow: true } } });
  });

  test('bob (guest) is refused another room but gets the lobby', async () => {
    const send = await loggedIn('bob', 'bob-pass');
    const other = await send('POST', '/api/token', { room: 'other' });
    expect(other.status).toBe(403);
    expect(other.body.error).toEqual({ code: 'FORBIDDEN', message: 'Guests may only join the "lobby" room.' });
    const lobby = await send('POST', '/api/token', { room: 'lobby' });
    expect(lobby.status).toBe(200);
    expect(verifyAccessToken(lobby.body.token, credentials).claims.grants).toEqual({ identity: 'bob', video: { room: 'lobby' } });
    expect(lobby.body.ttl).toBe(600);
  });

  test('without a session the token route answers 401, and so it does after logout', async () => {
    const anonymous = await client(baseUrl)('POST', '/api/token', { room: 'lobby' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');

    const send = await loggedIn('alice', 'alice-pass');
    expect((await send('POST', '/logout')).body).toEqual({ user: null });
    expect((await send('GET', '/api/me')).body.user).toBeNull();
    expect((await send('POST', '/api/token', { room: 'lobby' })).status).toBe(401);
  });

  test('a wrong password gets 401, and a page on another origin gets no token', async () => {
    const wrong = await client(baseUrl)('POST', '/login', { username: 'alice', password: 'bob-pass' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');

    const send = await loggedIn('alice', 'alice-pass');
    const crossSite = await send('POST', '/api/token', { room: 'lobby' }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await send('POST', '/api/token', { room: 'lobby' }, { origin: baseUrl })).status).toBe(200);
  });

  test('a page of another origin can neither log a visitor in (login CSRF) nor out; the page itself can, with a form too', async () => {
    const victim = client(baseUrl);
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
      const forged = await victim('POST', '/login', { username: 'bob', password: 'bob-pass' }, headers);
      expect(forged.status).toBe(403);
      expect(forged.body).toEqual({ error: { code: 'ORIGIN_NOT_ALLOWED', message: expect.any(String) } });
      expect(forged.headers.get('set-cookie')).toBeNull();
    }
    expect((await victim('GET', '/api/me')).body.user).toBeNull();

    const send = await loggedIn('alice', 'alice-pass');
    expect((await send('POST', '/logout', undefined, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await send('GET', '/api/me')).body.user.id).toBe('alice');
    expect((await send('POST', '/logout', undefined, { origin: baseUrl })).body).toEqual({ user: null });
    expect((await send('GET', '/api/me')).body.user).toBeNull();

    const form = await fetch(`${baseUrl}/login`, {
      method: 'POST',
      headers: { origin: baseUrl, 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ username: 'bob', password: 'bob-pass' }),
    });
    expect(form.status).toBe(200);
    expect(((await form.json()) as { user: { id: string } }).user.id).toBe('bob');
  });
});
