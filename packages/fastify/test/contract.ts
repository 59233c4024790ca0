// The plugin's behaviour inside a Fastify app, run against the newest Fastify 5 (fastify.test.ts) and
// the oldest the peer range claims, 5.0.0 (fastify5-0.test.ts). Requests go through fastify.inject().
import { gzipSync } from 'node:zlib';
import { type PolicyDecision, verifyAccessToken } from '@grantor/core';
import type { FastifyInstance, FastifyRequest, LightMyRequestResponse } from 'fastify';
import { expect, test } from 'vitest';
import grantor, { type GrantorOptions, type GrantorPlugin } from '../src/index.js';

interface TestUser {
  id: string;
  role: 'host' | 'guest';
}

const SECRET = 'fastify-secret-that-must-never-leak';
const CREDENTIALS = { accountSid: `AC${'a'.repeat(32)}`, keys: { sid: `SK${'b'.repeat(32)}`, secret: SECRET } };
const USERS: Record<string, TestUser> = { alice: { id: 'alice', role: 'host' }, bob: { id: 'bob', role: 'guest' } };

function policy({ user, params }: { user: TestUser; params: Record<string, unknown> }): PolicyDecision {
  if (user.role === 'guest' && params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
  return { grants: { video: { room: params.room as string | undefined } } };
}

type CreateFastify = () => FastifyInstance;

/** An app as its docs build one: an auth hook that sets request.user, a JSON route of its own, the plugin. */
async function appWith(createFastify: CreateFastify, options: Partial<GrantorOptions<TestUser>> = {}): Promise<FastifyInstance> {
  const app = createFastify();
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request, reply) => {
    const name = request.headers['x-user'];
    if (name === 'hook-refuses') throw Object.assign(new Error('No Authorization was found in request.headers'), { statusCode: 401 });
    // As @fastify/jwt's README refuses: reply.send(err) without `return reply`, the user already set.
    if (name === 'hook-sends-refusal') {
      (request as FastifyRequest & { user: TestUser | null }).user = USERS.alice!;
      reply.send(Object.assign(new Error('Admins only'), { statusCode: 403 }));
      return;
    }
    if (name === 'hook-crashes') throw new Error('session store down');
    (request as FastifyRequest & { user: TestUser | null }).user = USERS[name as string] ?? null;
  });
  app.post('/echo', async (request) => ({ received: request.body }));
  await app.register(grantor as GrantorPlugin<TestUser>, { prefix: '/api/token', credentials: CREDENTIALS, policy, onError: () => {}, ...options });
  return app;
}

function expectGrantor(res: LightMyRequestResponse, status: number, code?: string): void {
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.body).not.toContain(SECRET);
  if (code) expect(res.json()).toMatchObject({ error: { code } });
}

export function describeFastifyPlugin(createFastify: CreateFastify): void {
  const post = async (payload: string | Buffer | undefined, headers: Record<string, string> = {}, user = 'alice', options = {}) => {
    const app = await appWith(createFastify, options);
    return app.inject({ method: 'POST', url: '/api/token', headers: { 'x-user': user, ...headers }, payload });
  };
  const json = { 'content-type': 'application/json' };

  test('a token for request.user, whose identity is the user id whatever the body says', async () => {
    const res = await post('{"room":"standup","identity":"admin"}', json);
    expectGrantor(res, 200);
    const { identity, token } = res.json() as { identity: string; token: string };
    expect(identity).toBe('alice');
    expect(verifyAccessToken(token, CREDENTIALS).claims.grants).toEqual({ identity: 'alice', video: { room: 'standup' } });
  });

  test('nobody logged in: 401; a policy refusal: 403', async () => {
    expectGrantor(await post('{"room":"lobby"}', json, 'nobody'), 401, 'UNAUTHENTICATED');
    expectGrantor(await post('{"room":"standup"}', json, 'bob'), 403, 'FORBIDDEN');
  });

  test("grantor reads the body itself: the contract's answers, where Fastify's parser would answer its own", async () => {
    expectGrantor(await post('{"room":', json), 400, 'BAD_REQUEST');
    expectGrantor(await post('room=lobby', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectGrantor(await post('{"room":"lobby"}', { 'content-type': 'application/json; charset=latin1' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectGrantor(await post(gzipSync('{"room":"lobby"}'), { ...json, 'content-encoding': 'gzip' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectGrantor(await post(JSON.stringify({ room: 'lobby', pad: 'x'.repeat(9000) }), json), 413, 'PAYLOAD_TOO_LARGE');
    expectGrantor(await post('room=lobby', { 'content-type': 'text' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectGrantor(await post('room=lobby', { 'content-type': 'text' }, 'nobody'), 401, 'UNAUTHENTICATED');
    expectGrantor(await post('', json), 200);
    expectGrantor(await post(undefined), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test("the app's other routes keep Fastify's own parsing", async () => {
    const app = await appWith(createFastify);
    const parsed = await app.inject({ method: 'POST', url: '/echo', headers: json, payload: '{"a":1}' });
    expect(parsed.json()).toEqual({ received: { a: 1 } });
    const invalid = await app.inject({ method: 'POST', url: '/echo', headers: json, payload: '{"a":' });
    expect(invalid.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(invalid.headers['cache-control']).toBeUndefined();
  });

  test("a hook's client error for the route is grantor's JSON; a server error stays the app's", async () => {
    expectGrantor(await post('{}', json, 'hook-refuses'), 401, 'UNAUTHENTICATED');
    const crash = await post('{}', json, 'hook-crashes');
    expect(crash.statusCode).toBe(500);
    expect(crash.headers['cache-control']).toBeUndefined();
  });

  test("a hook's error sent without `return reply` is the answer: the route does not run as well", async () => {
    const events: string[] = [];
    const app = await appWith(createFastify, { onIssued: () => void events.push('issued'), onDenied: ({ code }) => void events.push(code) });
    const warnings: string[] = [];
    app.log.warn = (...args: unknown[]) => void warnings.push(JSON.stringify(args));
    const res = await app.inject({ method: 'POST', url: '/api/token', headers: { 'x-user': 'hook-sends-refusal', ...json }, payload: '{}' });
    expectGrantor(res, 403, 'FORBIDDEN');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect({ events, warnings }).toEqual({ events: ['FORBIDDEN'], warnings: [] });
  });

  test('other methods: 405 with Allow; methods: [GET] reads the query string', async () => {
    const app = await appWith(createFastify);
    const put = await app.inject({ method: 'PUT', url: '/api/token', headers: { 'x-user': 'alice' } });
    expectGrantor(put, 405, 'METHOD_NOT_ALLOWED');
    expect(put.headers.allow).toBe('POST');
    const getApp = await appWith(createFastify, { methods: ['GET', 'POST'] });
    const get = await getApp.inject({ method: 'GET', url: '/api/token?room=standup', headers: { 'x-user': 'alice' } });
    expectGrantor(get, 200);
    expect(get.json()).toMatchObject({ identity: 'alice' });
  });

  test('credentials are checked on the first request: the app starts without them', async () => {
    const app = await appWith(createFastify, { credentials: { accountSid: '', keys: { sid: '', secret: '' } } });
    expect((await app.inject({ method: 'POST', url: '/echo', headers: json, payload: '{}' })).statusCode).toBe(200);
    expectGrantor(await app.inject({ method: 'POST', url: '/api/token', headers: { 'x-user': 'alice', ...json }, payload: '{}' }), 500, 'INTERNAL_ERROR');
  });
}
