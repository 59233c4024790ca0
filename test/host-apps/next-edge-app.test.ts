// A Next.js app as create-next-app@16 makes it (TypeScript, App Router, `@/*`; no cacheComponents,
// which refuses `export const runtime`) whose token route runs with `export const runtime = 'edge'`,
// next to the same route on the default Node.js runtime. Its session is a jose-signed JWT cookie, as
// an edge app would keep one. grantor comes by name from the run's registry through npm; the app is built once
// with `next build` and no secrets, then served by `next start`. The app's own audit log (grantor's
// onIssued and onDenied hooks) names the runtime each answer ran on: `typeof EdgeRuntime`.
import { verifyAccessToken } from '@grantor/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CREDENTIALS, expectGrantorError, expectGrantorHeaders, expectToken, TWILIO_ENV } from './support/grantor.js';
import type { AppProcess } from './support/host-app.js';
import { createClient, type Client } from './support/http.js';
import { output, useNextHostApp } from './support/next-app.js';

const SESSION_SECRET = 'host-app-session-secret-0123456789abcdef';
const ALICE = { email: 'alice@example.com', password: 'alice-pass', id: 'u2001' };
const ROUTES = [
  { path: '/api/token', runtime: 'edge' },
  { path: '/api/token-node', runtime: 'nodejs' },
] as const;

// The build has no TWILIO_* and no SESSION_SECRET: a CI build without secrets.
const host = useNextHostApp('next-edge-app');

test("npm installs grantor by name and jose from the app's package.json", () => {
  expect(host.app!.install.code, `${host.app!.installCommand}\n${output(host.app!.install)}`).toBe(0);
  const manifest = JSON.parse(readFileSync(join(host.app!.dir, 'node_modules', 'jose', 'package.json'), 'utf8')) as { version: string };
  expect(manifest.version).toMatch(/^6\./);
});

test('next build succeeds, with no Node.js API or native module error from the Edge route', () => {
  expect(host.build, 'npm install failed').toBeDefined();
  const text = output(host.build!);
  for (const error of ['node:crypto', 'Native module not found', 'A Node.js API is used', 'Module not found']) expect(text).not.toContain(error);
  expect(host.build!.code, text).toBe(0);
  // Next 16 marks an Edge route ƒ (Dynamic) in the table, with no symbol of its own.
  const routeLines = host.build!.stdout.split('\n').filter((line) => /\/api\/token/.test(line));
  console.info(`next-edge-app: next build lists\n${routeLines.join('\n')}`);
  expect(routeLines.map((line) => line.replace(/^[\s┌├└│]+/, ''))).toEqual(['ƒ /api/token', 'ƒ /api/token-node']);
  expect(text).toContain('Using edge runtime on a page currently disables static generation for that page');
});

test('the build made /api/token an Edge function and left /api/token-node to Node.js', () => {
  const manifest = JSON.parse(readFileSync(join(host.built().dir, '.next', 'server', 'middleware-manifest.json'), 'utf8')) as {
    functions: Record<string, unknown>;
  };
  expect(Object.keys(manifest.functions)).toContain('/api/token/route');
  expect(Object.keys(manifest.functions)).not.toContain('/api/token-node/route');
});

interface AuditLine {
  event: 'token.issued' | 'token.denied';
  path: string;
  runtime: 'edge' | 'nodejs';
  code?: string;
  identity?: string;
  jti?: string;
}

/** The app's audit lines after `since` (stdout offset), once one matches `wanted`. */
async function auditLine(server: AppProcess, since: number, wanted: (line: AuditLine) => boolean): Promise<AuditLine> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = server
      .stdout()
      .slice(since)
      .split('\n')
      .filter((line) => line.startsWith('{"event":'))
      .map((line) => JSON.parse(line) as AuditLine);
    const found = lines.find(wanted);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such audit line; the app wrote:\n${server.stdout().slice(since)}\n${server.stderr()}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

async function logIn(baseUrl: string): Promise<Client> {
  const client = createClient(baseUrl);
  const answer = await client.request('/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ALICE.email, password: ALICE.password }),
  });
  expect(answer.status, answer.text).toBe(200);
  expect(client.cookies.get('session')).toMatch(/^ey/);
  return client;
}

describe('next start with TWILIO_* and SESSION_SECRET', () => {
  let server: AppProcess;
  beforeAll(async () => {
    server = await host.start({ ...TWILIO_ENV, SESSION_SECRET });
  }, 90_000);
  afterAll(() => server?.stop());

  test.each(ROUTES)("$path ($runtime): a logged-in user gets a token for the session's id, not the body's identity", async ({ path, runtime }) => {
    const client = await logIn(server.url);
    const since = server.stdout().length;
    const answer = await client.postJson(path, '{"identity":"mallory"}');
    expect(expectToken(answer, ALICE.id)).toEqual({ identity: ALICE.id, video: {} });
    const { claims } = verifyAccessToken((answer.json as { token: string }).token, CREDENTIALS);
    expect(claims.sub).toBe(CREDENTIALS.accountSid);
    expect(answer.text).not.toContain('mallory');
    const line = await auditLine(server, since, (line) => line.jti === claims.jti);
    expect(line).toMatchObject({ event: 'token.issued', path, runtime, identity: ALICE.id });
  });

  test.each(ROUTES)('$path ($runtime): nobody logged in, a forged cookie, or logged out answers 401 JSON with no-store', async ({ path, runtime }) => {
    const since = server.stdout().length;
    expectGrantorError(await createClient(server.url).postJson(path, '{}'), 401, 'UNAUTHENTICATED');
    expect(await auditLine(server, since, (line) => line.path === path)).toMatchObject({ event: 'token.denied', runtime, code: 'UNAUTHENTICATED' });

    // Alice's claims, signed with another secret.
    const client = await logIn(server.url);
    const [header, payload] = client.cookies.get('session')!.split('.');
    const forged = createClient(server.url);
    forged.cookies.set('session', `${header}.${payload}.${'A'.repeat(43)}`);
    expectGrantorError(await forged.postJson(path, '{}'), 401, 'UNAUTHENTICATED');

    expect((await client.request('/api/session', { method: 'DELETE' })).status).toBe(204);
    expectGrantorError(await client.postJson(path, '{}'), 401, 'UNAUTHENTICATED');
  });

  test.each(ROUTES)('$path ($runtime): invalid JSON answers 400 JSON', async ({ path, runtime }) => {
    const client = await logIn(server.url);
    const since = server.stdout().length;
    expectGrantorError(await client.postJson(path, '{"room":'), 400, 'BAD_REQUEST');
    expect(await auditLine(server, since, (line) => line.path === path)).toMatchObject({ event: 'token.denied', runtime, code: 'BAD_REQUEST' });
  });

  const OTHER_METHODS = ROUTES.flatMap((route) => ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((method) => ({ ...route, method })));
  test.each(OTHER_METHODS)("$path ($runtime): $method answers grantor's JSON 405 with Allow: POST", async ({ path, method }) => {
    const answer = await createClient(server.url).request(path, { method });
    expectGrantorError(answer, 405, 'METHOD_NOT_ALLOWED');
    expect(answer.headers.get('allow')).toBe('POST');
  });

  test.each(ROUTES)("$path ($runtime): HEAD answers grantor's 405 with Allow: POST and no body", async ({ path }) => {
    const answer = await createClient(server.url).request(path, { method: 'HEAD' });
    expect(answer.status).toBe(405);
    expectGrantorHeaders(answer);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.text).toBe('');
  });

  test('the server logged no Edge runtime error', () => {
    expect(server.stderr()).not.toMatch(/A Node\.js API is used|node:crypto|Native module/);
  });
});
