// grantor in a Koa 3 app with app-wide @koa/bodyparser, koa-session and koa-passport, written in
// TypeScript (so `tsc` checks the docs' `createTokenRoute<User>` against the packed types), with
// grantor installed by name with npm from the run's registry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGrantorError, expectToken, docsGive, TWILIO_ENV } from './support/grantor.js';
import {
  installCommandLine,
  installHostApp,
  packPackages,
  run,
  startApp,
  type AppProcess,
  type InstalledApp,
  type Packed,
  type RunResult,
} from './support/host-app.js';
import { createClient, type Client } from './support/http.js';

let packed: Packed;
let installed: InstalledApp;
let build: RunResult;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core', '@grantor/koa']);
  installed = await installHostApp('koa-app', packed);
  build = await run('npm', ['run', 'build'], { cwd: installed.dir });
  console.log(`koa-app: ${installed.installCommand} took ${installed.install.ms} ms, npm run build (tsc) ${build.ms} ms`);
});
afterAll(() => {
  installed?.cleanup();
  packed?.cleanup();
});

function startKoaApp(env: Record<string, string> = {}): Promise<AppProcess> {
  return startApp({ cwd: installed.dir, args: ['dist/app.js'], env: { ...TWILIO_ENV, ...env }, readyPath: '/login' });
}

async function logIn(client: Client, username: string, password: string): Promise<void> {
  const login = await client.postForm('/login', { username, password });
  expect(login.status, login.text).toBe(302);
  expect(login.headers.get('location')).toBe('/');
}

it('installs by name and compiles with tsc, createTokenRoute<User> included', () => {
  expect(installed.install.code, installed.install.stderr).toBe(0);
  expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
});

it("uses the docs' lines, as the docs give them", () => {
  const app = readFileSync(join(installed.dir, 'src/app.ts'), 'utf8');
  for (const line of ["if (ctx.path === '/api/token') ctx.disableBodyParser = true;", "router.all(\n  '/api/token',\n  createTokenRoute<User>({"]) {
    expect(app.includes(line), `app.ts has ${line}`).toBe(true);
    expect(docsGive('koa', line), `the docs give ${line}`).toBe(true);
  }
  expect(docsGive('koa', installCommandLine(packed)), `the docs give ${installCommandLine(packed)}`).toBe(true);
});

describe("with the docs' ctx.disableBodyParser line before the app-wide bodyParser()", () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startKoaApp();
  });
  afterAll(() => app?.stop());

  it('issues a token to the logged-in user, as the policy decides', async () => {
    const alice = createClient(app.url);
    await logIn(alice, 'alice', 'alice-pass');
    expect(expectToken(await alice.postJson('/api/token', '{"room":"standup"}'), '1')).toMatchObject({ video: { room: 'standup' } });

    const bob = createClient(app.url);
    await logIn(bob, 'bob', 'bob-pass');
    expect((await bob.postJson('/api/token', '{"room":"lobby"}')).json).toMatchObject({ identity: '2', ttl: 600 });
    expectGrantorError(await bob.postJson('/api/token', '{"room":"standup"}'), 403, 'FORBIDDEN');
  });

  it('answers 401 before login and after logout', async () => {
    const client = createClient(app.url);
    expectGrantorError(await client.postJson('/api/token', '{"room":"lobby"}'), 401, 'UNAUTHENTICATED');
    await logIn(client, 'alice', 'alice-pass');
    expect((await client.request('/logout', { method: 'POST' })).status).toBe(302);
    expectGrantorError(await client.postJson('/api/token', '{"room":"lobby"}'), 401, 'UNAUTHENTICATED');
  });

  it("answers invalid JSON with grantor's JSON 400, and nothing on stderr", async () => {
    const client = createClient(app.url);
    await logIn(client, 'alice', 'alice-pass');
    const before = app.stderr();
    expectGrantorError(await client.postJson('/api/token', '{"room":'), 400, 'BAD_REQUEST');
    expect(app.stderr().slice(before.length)).toBe('');
  });

  it('answers a body that is not JSON with 415, form bodies included', async () => {
    const client = createClient(app.url);
    await logIn(client, 'alice', 'alice-pass');
    const text = await client.request('/api/token', { method: 'POST', body: 'room=lobby', headers: { 'content-type': 'text/plain' } });
    expectGrantorError(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectGrantorError(await client.postForm('/api/token', { room: 'lobby' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an oversized body with 413', async () => {
    const client = createClient(app.url);
    await logIn(client, 'alice', 'alice-pass');
    const body = JSON.stringify({ room: 'standup', padding: 'x'.repeat(10_000) });
    expectGrantorError(await client.postJson('/api/token', body), 413, 'PAYLOAD_TOO_LARGE');
  });
});

// What the docs' line is for: the app-wide parser reads the body first and throws on bad JSON.
describe('without the ctx.disableBodyParser line', () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startKoaApp({ DISABLE_BODY_PARSER: '0' });
  });
  afterAll(() => app?.stop());

  it("still issues tokens (grantor uses the parser's body)", async () => {
    const client = createClient(app.url);
    await logIn(client, 'alice', 'alice-pass');
    expectToken(await client.postJson('/api/token', '{"room":"standup"}'), '1');
  });

  it("answers invalid JSON with Koa's own text/plain 400, not grantor's JSON, and a stack on stderr", async () => {
    const client = createClient(app.url);
    await logIn(client, 'alice', 'alice-pass');
    const before = app.stderr();
    const answer = await client.postJson('/api/token', '{"room":');
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.json).toBeUndefined();
    expect(answer.headers.get('cache-control')).not.toBe('no-store');
    await expect.poll(() => app.stderr().slice(before.length), { timeout: 10_000 }).toMatch(/SyntaxError[\s\S]*\bat .*bodyparser/);
  });
});
