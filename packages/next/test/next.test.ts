// What only the Next.js adapters do: the handlers they return, getUser being required, the Web
// Request in and Response out, and the Pages Router under Next's own apiResolver (req.query,
// req.cookies, its body parser). The HTTP contract itself is test/adapter-conformance.test.ts.
import { AccessTokenError, type PolicyContext, type PolicyDecision, verifyAccessToken } from '@grantor/core';
import type { NextApiRequest } from 'next/dist/shared/lib/utils.js';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { type AppRouteOptions, type ApiRouteOptions, createTokenApiRoute, createTokenRoute } from '../src/index.js';
import { serveAppRoute, servePagesApiRoute, type TestServer } from './support/next-server.js';

interface TestUser {
  id: string;
}

const CREDENTIALS = { accountSid: `AC${'a'.repeat(32)}`, keys: { sid: `SK${'b'.repeat(32)}`, secret: 'next-test-secret' } };
const roomPolicy = ({ params }: PolicyContext<TestUser, unknown>): PolicyDecision => ({ grants: { video: { room: params.room as string | undefined } } });
const identityOf = (token: string) => verifyAccessToken(token, CREDENTIALS).claims.grants?.identity;
const ALICE = { id: 'alice' };

const BASE = { credentials: CREDENTIALS, policy: roomPolicy, getUser: (): TestUser | null => ALICE };
/** A POST-only App Router route. */
const appRoute = (options: Partial<AppRouteOptions<TestUser>> & { methods?: readonly ['POST'] } = {}) => createTokenRoute<TestUser>({ ...BASE, ...options });

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function started(server: Promise<TestServer>): Promise<TestServer> {
  servers.push(await server);
  return servers.at(-1)!;
}

describe('App Router: createTokenRoute', () => {
  test('returns a handler for each enabled method only', () => {
    expect(Object.keys(appRoute())).toEqual(['POST']);
    expect(Object.keys(createTokenRoute<TestUser>({ ...BASE, methods: ['POST', 'GET'] }))).toEqual(['POST', 'GET']);
    expect(Object.keys(createTokenRoute<TestUser>({ ...BASE, methods: ['GET'] }))).toEqual(['GET']);
    // @ts-expect-error GET is not exported unless methods includes it.
    expect(appRoute().GET).toBeUndefined();
    const { GET, POST } = createTokenRoute<TestUser>({ ...BASE, methods: ['POST', 'GET'] });
    expect([typeof GET, typeof POST]).toEqual(['function', 'function']);
  });

  test('getUser is required, by the types and at creation', () => {
    // @ts-expect-error getUser is required: Next.js has no standard place for the user.
    const create = () => createTokenRoute<TestUser>({ credentials: CREDENTIALS, policy: roomPolicy });
    expect(create).toThrow(AccessTokenError);
    expect(create).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringContaining('getUser(request)') }));
  });

  test('POST: a Web Request in, a Web Response out; getUser and the policy get that Request', async () => {
    const getUser = vi.fn(async (_request: Request) => ALICE);
    const policy = vi.fn(roomPolicy);
    const request = new Request('http://localhost/api/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"room":"standup"}' });
    const response = await appRoute({ getUser, policy }).POST(request);
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({ 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' });
    expect(identityOf((await response.json()).token)).toBe('alice');
    expect(getUser).toHaveBeenCalledWith(request);
    expect(policy.mock.calls[0]![0]).toMatchObject({ request, params: { room: 'standup' } });
  });

  test('POST without a body is no params', async () => {
    const policy = vi.fn(roomPolicy);
    const response = await appRoute({ policy }).POST(new Request('http://localhost/api/token', { method: 'POST' }));
    expect(response.status).toBe(200);
    expect(policy.mock.calls[0]![0].params).toEqual({});
  });

  test('a streamed body over bodyLimit is 413', async () => {
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? '{"room":"' : 'x'.repeat(10)));
        controller.close();
      },
    });
    const request = new Request('http://localhost/api/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    const response = await appRoute({ bodyLimit: 64 }).POST(request);
    expect(response.status).toBe(413);
  });

  test('GET, when enabled, reads the query string', async () => {
    const policy = vi.fn(roomPolicy);
    const response = await createTokenRoute<TestUser>({ ...BASE, policy, methods: ['POST', 'GET'] }).GET(new Request('http://localhost/api/token?room=standup'));
    expect(response.status).toBe(200);
    expect(policy.mock.calls[0]![0].params).toEqual({ room: 'standup' });
  });

  test('null from getUser is 401', async () => {
    const response = await appRoute({ getUser: () => null }).POST(new Request('http://localhost/api/token', { method: 'POST' }));
    expect(response.status).toBe(401);
  });

  test('under Next, OPTIONS and unexported methods never reach grantor', async () => {
    const onDenied = vi.fn();
    const { url } = await started(serveAppRoute(appRoute({ onDenied })));
    const options = await fetch(`${url}/api/token`, { method: 'OPTIONS' });
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'OPTIONS, POST']);
    const get = await fetch(`${url}/api/token`);
    expect([get.status, await get.text(), get.headers.get('allow')]).toEqual([405, '', null]);
    expect(onDenied).not.toHaveBeenCalled();
  });
});

describe("Pages Router: createTokenApiRoute, under Next's apiResolver", () => {
  const apiRoute = (options: Partial<ApiRouteOptions<TestUser>> = {}) =>
    createTokenApiRoute<TestUser>({ ...BASE, ...options });

  test('getUser is required, by the types and at creation', () => {
    // @ts-expect-error getUser is required: Next.js has no standard place for the user.
    const create = () => createTokenApiRoute<TestUser>({ credentials: CREDENTIALS, policy: roomPolicy });
    expect(create).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringContaining('getUser(request)') }));
  });

  test("getUser and the policy get Next's request: req.cookies, req.query", async () => {
    const policy = vi.fn(roomPolicy);
    const getUser = (req: NextApiRequest) => (req.cookies.session === 'dave-session' ? { id: 'dave' } : null);
    const { url } = await started(servePagesApiRoute(apiRoute({ getUser, policy })));
    const response = await fetch(`${url}/api/token?from=test`, { method: 'POST', headers: { cookie: 'session=dave-session' } });
    expect(response.status).toBe(200);
    expect(identityOf((await response.json()).token)).toBe('dave');
    const req = policy.mock.calls[0]![0].request as NextApiRequest;
    expect(req.query).toEqual({ from: 'test' });
    expect((await fetch(`${url}/api/token`, { method: 'POST' })).status).toBe(401);
  });

  test("the body Next's parser already parsed is used", async () => {
    const policy = vi.fn(roomPolicy);
    const { url } = await started(servePagesApiRoute(apiRoute({ policy })));
    const response = await fetch(`${url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"room":"standup","identity":"admin"}' });
    expect(response.status).toBe(200);
    expect(identityOf((await response.json()).token)).toBe('alice');
    const req = policy.mock.calls[0]![0].request as NextApiRequest;
    expect(req.body).toEqual({ room: 'standup', identity: 'admin' });
    expect(policy.mock.calls[0]![0].params).toEqual({ room: 'standup' });
  });

  test('with bodyParser: false, grantor reads the body itself', async () => {
    const policy = vi.fn(roomPolicy);
    const { url } = await started(servePagesApiRoute(apiRoute({ policy }), { api: { bodyParser: false } }));
    const response = await fetch(`${url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"room":"standup"}' });
    expect(response.status).toBe(200);
    expect((policy.mock.calls[0]![0].request as NextApiRequest).body).toBeUndefined();
    expect(policy.mock.calls[0]![0].params).toEqual({ room: 'standup' });
  });

  test("a body over Next's sizeLimit gets Next's 413, before grantor runs", async () => {
    const onDenied = vi.fn();
    const { url } = await started(servePagesApiRoute(apiRoute({ onDenied }), { api: { bodyParser: { sizeLimit: '1kb' } } }));
    const response = await fetch(`${url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ room: 'x'.repeat(2000) }) });
    expect([response.status, await response.text()]).toEqual([413, 'Body exceeded 1kb limit']);
    expect(onDenied).not.toHaveBeenCalled();
  });
});
