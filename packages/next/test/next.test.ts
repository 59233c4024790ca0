// What only the Next.js adapters do: the handlers they return, getUser being required, credentials
// checked on the first request (next build runs without secrets), the Web Request in and Response out, and the Pages Router under Next's own apiResolver (req.query,
// req.cookies, its body parser). The HTTP contract itself is test/adapter-conformance.test.ts.
import { AccessTokenError, type PolicyContext, type PolicyDecision, verifyAccessToken } from '@grantor/core';
import type { NextApiRequest, NextApiResponse } from 'next/dist/shared/lib/utils.js';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { APP_ROUTE_METHODS, type AppRouteOptions, type ApiRouteOptions, createTokenApiRoute, createTokenRoute } from '../src/index.js';
import { serveAppRoute, servePagesApiRoute, type TestServer } from './support/next-server.js';

interface TestUser {
  id: string;
}

const CREDENTIALS = { accountSid: `AC${'a'.repeat(32)}`, keys: { sid: `SK${'b'.repeat(32)}`, secret: 'next-test-secret' } };
const roomPolicy = ({ params }: PolicyContext<TestUser, unknown>): PolicyDecision => ({ grants: { video: { room: params.room as string | undefined } } });
const identityOf = (token: string) => verifyAccessToken(token, CREDENTIALS).claims.grants?.identity;
const ALICE = { id: 'alice' };
const JSON_TYPE = { 'content-type': 'application/json' };

const BASE = { credentials: CREDENTIALS, policy: roomPolicy, getUser: (): TestUser | null => ALICE };
/** A POST-only App Router route. */
const appRoute = (options: Partial<AppRouteOptions<TestUser>> = {}) => createTokenRoute<TestUser>({ ...BASE, ...options });
/** What `next build` evaluates: a route module whose TWILIO_* variables are unset. */
const UNSET_CREDENTIALS = {
  accountSid: process.env.GRANTOR_TEST_UNSET_ACCOUNT_SID!,
  keys: { sid: process.env.GRANTOR_TEST_UNSET_KEY_SID!, secret: process.env.GRANTOR_TEST_UNSET_SECRET! },
};
/** A JSON POST without params, as @grantor/client sends it. */
const postRequest = () => new Request('http://localhost/api/token', { method: 'POST', headers: JSON_TYPE });

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function started(server: Promise<TestServer>): Promise<TestServer> {
  servers.push(await server);
  return servers.at(-1)!;
}

describe('App Router: createTokenRoute', () => {
  test('returns a handler for every method an App Router file may export; only the enabled ones issue tokens', async () => {
    const route = appRoute();
    expect(Object.keys(route)).toEqual([...APP_ROUTE_METHODS]);
    for (const method of APP_ROUTE_METHODS.filter((name) => name !== 'POST')) {
      const response = await route[method](new Request('http://localhost/api/token', { method }));
      expect([method, response.status, response.headers.get('allow'), response.headers.get('cache-control')]).toEqual([method, 405, 'POST', 'no-store']);
    }
    expect((await route.POST(postRequest())).status).toBe(200);
    const withGet = createTokenRoute<TestUser>({ ...BASE, methods: ['POST', 'GET'] });
    expect((await withGet.GET(new Request('http://localhost/api/token?room=a'))).status).toBe(200);
    expect((await withGet.PUT(new Request('http://localhost/api/token', { method: 'PUT' }))).headers.get('allow')).toBe('POST, GET');
  });

  test('missing credentials do not throw when the module loads (next build); each request answers 500 and onError names them', async () => {
    const onError = vi.fn();
    const route = appRoute({ credentials: UNSET_CREDENTIALS, onError });
    const response = await route.POST(postRequest());
    expect([response.status, (await response.json()).error.code]).toEqual([500, 'INTERNAL_ERROR']);
    const [cause] = onError.mock.calls[0]!;
    expect(cause).toBeInstanceOf(AccessTokenError);
    expect(cause).toMatchObject({
      code: 'INVALID_ACCOUNT_SID',
      message: expect.stringMatching(
        /^accountSid, keys.sid and keys.secret are missing: .*TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET are set/,
      ),
    });
    expect((await route.POST(postRequest())).status).toBe(500);
    expect(onError).toHaveBeenCalledTimes(2);
  });

  test('options other than credentials still throw when the module loads', () => {
    expect(() => appRoute({ credentials: UNSET_CREDENTIALS, maxTtl: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
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

  test('a JSON POST without a body is no params; without Content-Type it is 415', async () => {
    const policy = vi.fn(roomPolicy);
    const response = await appRoute({ policy }).POST(postRequest());
    expect(response.status).toBe(200);
    expect(policy.mock.calls[0]![0].params).toEqual({});
    expect((await appRoute({ policy }).POST(new Request('http://localhost/api/token', { method: 'POST' }))).status).toBe(415);
  });

  test('a streamed body over bodyLimit is 413', async () => {
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? '{"room":"' : 'x'.repeat(10)));
        controller.close();
      },
    });
    const request = new Request('http://localhost/api/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    const response = await appRoute({ bodyLimit: 64 }).POST(request);
    expect(response.status).toBe(413);
  });

  test('GET, when enabled, reads the query string', async () => {
    const policy = vi.fn(roomPolicy);
    const response = await createTokenRoute<TestUser>({ ...BASE, policy, methods: ['POST', 'GET'] }).GET(
      new Request('http://localhost/api/token?room=standup'),
    );
    expect(response.status).toBe(200);
    expect(policy.mock.calls[0]![0].params).toEqual({ room: 'standup' });
  });

  test('null from getUser is 401', async () => {
    const response = await appRoute({ getUser: () => null }).POST(new Request('http://localhost/api/token', { method: 'POST' }));
    expect(response.status).toBe(401);
  });

  test('under Next, every exported method reaches grantor: OPTIONS and GET get its JSON 405', async () => {
    const onDenied = vi.fn();
    const { url } = await started(serveAppRoute(appRoute({ onDenied })));
    for (const method of ['OPTIONS', 'GET', 'DELETE']) {
      const response = await fetch(`${url}/api/token`, { method });
      expect([method, response.status, response.headers.get('allow'), (await response.json()).error.code]).toEqual([method, 405, 'POST', 'METHOD_NOT_ALLOWED']);
    }
    expect(onDenied).toHaveBeenCalledTimes(3);
  });
});

describe("Pages Router: createTokenApiRoute, under Next's apiResolver", () => {
  const apiRoute = (options: Partial<ApiRouteOptions<TestUser>> = {}) => createTokenApiRoute<TestUser>({ ...BASE, ...options });

  test('getUser is required, by the types and at creation', () => {
    // @ts-expect-error getUser is required: Next.js has no standard place for the user.
    const create = () => createTokenApiRoute<TestUser>({ credentials: CREDENTIALS, policy: roomPolicy });
    expect(create).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringContaining('getUser(request)') }));
  });

  test("getUser and the policy get Next's request: req.cookies, req.query", async () => {
    const policy = vi.fn(roomPolicy);
    const getUser = (req: NextApiRequest) => (req.cookies.session === 'dave-session' ? { id: 'dave' } : null);
    const { url } = await started(servePagesApiRoute(apiRoute({ getUser, policy })));
    const response = await fetch(`${url}/api/token?from=test`, { method: 'POST', headers: { ...JSON_TYPE, cookie: 'session=dave-session' } });
    expect(response.status).toBe(200);
    expect(identityOf((await response.json()).token)).toBe('dave');
    const req = policy.mock.calls[0]![0].request as NextApiRequest;
    expect(req.query).toEqual({ from: 'test' });
    expect((await fetch(`${url}/api/token`, { method: 'POST', headers: JSON_TYPE })).status).toBe(401);
  });

  test("getUser gets (req, res), as next-auth's getServerSession(req, res, authOptions) needs", async () => {
    const getUser = vi.fn((req: NextApiRequest, res: NextApiResponse) => (req && typeof res.setHeader === 'function' ? ALICE : null));
    const { url } = await started(servePagesApiRoute(apiRoute({ getUser })));
    expect((await fetch(`${url}/api/token`, { method: 'POST', headers: JSON_TYPE })).status).toBe(200);
    expect(getUser).toHaveBeenCalledTimes(1);
  });

  test('missing credentials answer 500 per request, not when the module loads', async () => {
    const onError = vi.fn();
    const { url } = await started(servePagesApiRoute(apiRoute({ credentials: UNSET_CREDENTIALS, onError })));
    const response = await fetch(`${url}/api/token`, { method: 'POST', headers: JSON_TYPE });
    expect([response.status, (await response.json()).error.code]).toEqual([500, 'INTERNAL_ERROR']);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: 'INVALID_ACCOUNT_SID' });
  });

  test("the body Next's parser already parsed is used", async () => {
    const policy = vi.fn(roomPolicy);
    const { url } = await started(servePagesApiRoute(apiRoute({ policy })));
    const response = await fetch(`${url}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"room":"standup","identity":"admin"}',
    });
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
    const response = await fetch(`${url}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ room: 'x'.repeat(2000) }),
    });
    expect([response.status, await response.text()]).toEqual([413, 'Body exceeded 1kb limit']);
    expect(onDenied).not.toHaveBeenCalled();
  });
});
