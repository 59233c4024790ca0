// The token route's HTTP contract, run against Express 5 (express.test.ts) and Express 4
// (express4.test.ts, which swaps the `express` module for 4.x).
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DeniedEvent, type IssuedEvent, type PolicyDecision, verifyAccessToken } from '@grantor/core';
import express, { type Express, type Request, type RequestHandler } from 'express';
import { body } from 'express-validator';
import request, { type Response } from 'supertest';
import jwt from 'jsonwebtoken';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { describe, expect, test, vi } from 'vitest';
import { createTokenRoute, type TokenRouteOptions } from '../src/index.js';

interface TestUser {
  id: string;
  role: 'host' | 'guest';
}

const SECRET = 'test-secret-that-must-never-leak';
const CREDENTIALS = { accountSid: `AC${'a'.repeat(32)}`, keys: { sid: `SK${'b'.repeat(32)}`, secret: SECRET } };
const JWT_KEY = 'passport-jwt-test-key';
const ALICE: TestUser = { id: 'alice', role: 'host' };
const BOB: TestUser = { id: 'bob', role: 'guest' };
const GUEST_REFUSAL = 'Guests may only join the lobby.';

function roomPolicy({ user, params }: { user: TestUser; params: Record<string, unknown> }): PolicyDecision {
  if (user.role === 'guest' && params.room !== 'lobby') return { deny: GUEST_REFUSAL };
  return { grants: { video: { room: params.room as string | undefined } } };
}

interface AppSetup {
  /** The user a fake authentication middleware puts on `req.user`; null for nobody. */
  user?: TestUser | null;
  /** Middleware the app runs before the token route (body parsers). */
  before?: RequestHandler[];
}

/** What Passport's authentication does for a logged-in request. */
function logIn(req: Request, user: TestUser): void {
  Object.assign(req, { user });
}

function appWith(options: Partial<TokenRouteOptions<TestUser>> = {}, { user = ALICE, before = [] }: AppSetup = {}): Express {
  const app = express();
  app.use((req, _res, next) => {
    if (user) logIn(req, user);
    next();
  });
  for (const middleware of before) app.use(middleware);
  app.use('/token', createTokenRoute<TestUser>({ credentials: CREDENTIALS, policy: roomPolicy, ...options }));
  return app;
}

const postJson = (app: Express, payload: unknown) =>
  request(app)
    .post('/token')
    .send(payload as object);

/** Checks the headers every token response carries, and the status. */
function expectResponse(res: Response, status: number): void {
  expect({ status: res.status, text: res.text }).toMatchObject({ status });
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers.etag).toBeUndefined();
}

function expectError(res: Response, status: number, code: string): { code: string; message: string; details?: unknown[] } {
  expectResponse(res, status);
  expect(res.body.error.code).toBe(code);
  expect(res.text).not.toContain(SECRET);
  return res.body.error;
}

const verify = (token: string) => verifyAccessToken(token, CREDENTIALS);

/** POSTs a JSON body in chunks with no Content-Length, so the route has to count the bytes itself. */
async function postChunked(app: Express, chunks: string[]): Promise<{ status: number; text: string }> {
  const server = app.listen(0);
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(
        { port, method: 'POST', path: '/token', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        resolve,
      );
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
    let text = '';
    for await (const chunk of response) text += chunk;
    return { status: response.statusCode!, text };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

export function describeTokenRouteContract(): void {
  describe('200: a token for the logged-in user', () => {
    test('answers { token, identity, expiresAt, ttl } and the token verifies', async () => {
      const before = Date.now();
      const res = await postJson(appWith(), { room: 'standup' });
      expectResponse(res, 200);
      expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'identity', 'token', 'ttl']);
      expect(res.body).toMatchObject({ identity: 'alice', ttl: 3600 });
      expect(new Date(res.body.expiresAt).toISOString()).toBe(res.body.expiresAt);

      const { header, claims } = verify(res.body.token);
      expect(header).toMatchObject({ alg: 'HS256', cty: 'twilio-fpa;v=1' });
      expect(claims.grants).toEqual({ identity: 'alice', video: { room: 'standup' } });
      expect(claims.exp! * 1000).toBe(Date.parse(res.body.expiresAt));
      expect(claims.exp! - claims.iat!).toBe(3600);
      expect(claims.iat! * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    });

    test('an empty JSON POST is no params; without Content-Type it is 415', async () => {
      const policy = vi.fn(roomPolicy);
      const res = await request(appWith({ policy })).post('/token').set('content-type', 'application/json');
      expectResponse(res, 200);
      expect(policy.mock.calls[0]![0].params).toEqual({});
      expectError(await request(appWith({ policy })).post('/token'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    test('caps the policy ttl to maxTtl', async () => {
      const res = await postJson(appWith({ maxTtl: 600, policy: () => ({ grants: { chat: {} }, ttl: 100_000 }) }), {});
      expectResponse(res, 200);
      expect(res.body.ttl).toBe(600);
      const { claims } = verify(res.body.token);
      expect(claims.exp! - claims.iat!).toBe(600);
    });
  });

  describe('the identity comes from the user, never the client', () => {
    test('a body identity is dropped before the policy and the signer', async () => {
      const policy = vi.fn(roomPolicy);
      const res = await postJson(appWith({ policy }), { room: 'standup', identity: 'admin' });
      expectResponse(res, 200);
      expect(res.body.identity).toBe('alice');
      expect(verify(res.body.token).claims.grants?.identity).toBe('alice');
      expect(policy.mock.calls[0]![0]).toMatchObject({ identity: 'alice', params: { room: 'standup' } });
    });

    test('a query identity is dropped too when GET is enabled', async () => {
      const policy = vi.fn(roomPolicy);
      const res = await request(appWith({ policy, methods: ['POST', 'GET'] })).get('/token?room=standup&identity=admin');
      expectResponse(res, 200);
      expect(res.body.identity).toBe('alice');
      expect(verify(res.body.token).claims.grants).toEqual({ identity: 'alice', video: { room: 'standup' } });
      expect(policy.mock.calls[0]![0].params).toEqual({ room: 'standup' });
    });
  });

  describe('400: bad params', () => {
    test('invalid JSON', async () => {
      const res = await request(appWith()).post('/token').set('content-type', 'application/json').send('{"room":');
      expect(expectError(res, 400, 'BAD_REQUEST').message).toMatch(/not valid JSON/);
    });

    test.each([['[1,2]'], ['"lobby"'], ['42']])('a JSON body that is not an object: %s', async (text) => {
      const res = await request(appWith()).post('/token').set('content-type', 'application/json').send(text);
      expect(expectError(res, 400, 'BAD_REQUEST').message).toMatch(/must be a JSON object/);
    });

    test('room that is not a string', async () => {
      const error = expectError(await postJson(appWith(), { room: 42 }), 400, 'BAD_REQUEST');
      expect(error.details).toEqual([expect.objectContaining({ type: 'field', path: 'room', location: 'body', msg: 'room must be a string' })]);
    });

    test.each([[''], ['x'.repeat(129)]])('room of a bad length (%#)', async (room) => {
      const error = expectError(await postJson(appWith(), { room }), 400, 'BAD_REQUEST');
      expect(error.details).toEqual([expect.objectContaining({ path: 'room', msg: 'room must be 1 to 128 characters' })]);
    });

    test('an unknown param, with express-validator details', async () => {
      const policy = vi.fn(roomPolicy);
      const error = expectError(await postJson(appWith({ policy }), { room: 'a', color: 'red' }), 400, 'BAD_REQUEST');
      expect(error.message).toContain('"color"');
      expect(error.details).toEqual([
        expect.objectContaining({ type: 'unknown_fields', fields: [expect.objectContaining({ path: 'color', location: 'body', value: 'red' })] }),
      ]);
      expect(policy).not.toHaveBeenCalled();
    });
  });

  describe('401: nobody logged in', () => {
    test('no req.user', async () => {
      const policy = vi.fn(roomPolicy);
      const res = await postJson(appWith({ policy }, { user: null }), { room: 'a' });
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(policy).not.toHaveBeenCalled();
    });
  });

  describe('403: refused', () => {
    test('by the policy, with its reason as the message', async () => {
      const res = await postJson(appWith({}, { user: BOB }), { room: 'other' });
      expect(expectError(res, 403, 'FORBIDDEN').message).toBe(GUEST_REFUSAL);
    });

    test('a policy returning false', async () => {
      expectError(await postJson(appWith({ policy: () => false }), {}), 403, 'FORBIDDEN');
    });

    const allowedOrigins = ['https://app.example'];
    test('a foreign Origin', async () => {
      const policy = vi.fn(roomPolicy);
      const res = await postJson(appWith({ allowedOrigins, policy }), { room: 'a' }).set('origin', 'https://evil.example');
      expectError(res, 403, 'ORIGIN_NOT_ALLOWED');
      expect(policy).not.toHaveBeenCalled();
    });

    test('Sec-Fetch-Site: cross-site, even with no Origin', async () => {
      const res = await postJson(appWith({ allowedOrigins }), { room: 'a' }).set('sec-fetch-site', 'cross-site');
      expectError(res, 403, 'ORIGIN_NOT_ALLOWED');
    });

    test('an allowed Origin passes', async () => {
      const res = await postJson(appWith({ allowedOrigins }), { room: 'a' }).set('origin', 'https://app.example').set('sec-fetch-site', 'same-origin');
      expectResponse(res, 200);
    });

    test('no Origin passes (curl, servers)', async () => {
      expectResponse(await postJson(appWith({ allowedOrigins }), { room: 'a' }), 200);
    });
  });

  describe('405: other methods', () => {
    test('GET is refused by default, with Allow', async () => {
      const res = await request(appWith()).get('/token?room=a');
      expectError(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe('POST');
    });

    test('PUT when GET is enabled lists both', async () => {
      const res = await request(appWith({ methods: ['POST', 'GET'] }))
        .put('/token')
        .send({ room: 'a' });
      expectError(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe('POST, GET');
    });
  });

  describe('413: body over bodyLimit', () => {
    const room = 'x'.repeat(100);
    test('with Content-Length', async () => {
      const policy = vi.fn(roomPolicy);
      expectError(await postJson(appWith({ bodyLimit: 64, policy }), { room }), 413, 'PAYLOAD_TOO_LARGE');
      expect(policy).not.toHaveBeenCalled();
    });

    test('chunked, without Content-Length', async () => {
      const { status, text } = await postChunked(appWith({ bodyLimit: 64 }), ['{"room":"', room, '"}']);
      expect(status).toBe(413);
      expect(JSON.parse(text).error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    test('a chunked body under the limit is read', async () => {
      const { status, text } = await postChunked(appWith({ bodyLimit: 64 }), ['{"room":', '"standup"}']);
      expect(status).toBe(200);
      expect(JSON.parse(text).identity).toBe('alice');
    });
  });

  describe('415: not JSON', () => {
    test('text/plain', async () => {
      const res = await request(appWith()).post('/token').set('content-type', 'text/plain').send('{"room":"a"}');
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    test('a form body', async () => {
      expectError(await request(appWith()).post('/token').type('form').send('room=a'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('500: the policy throws', () => {
    test('the body is generic and onError gets the cause', async () => {
      const cause = new Error('database password is hunter2');
      const onError = vi.fn();
      const res = await postJson(
        appWith({
          onError,
          policy: () => {
            throw cause;
          },
        }),
        { room: 'a' },
      );
      const error = expectError(res, 500, 'INTERNAL_ERROR');
      expect(error).toEqual({ code: 'INTERNAL_ERROR', message: 'The token could not be issued. The server log has the cause.' });
      expect(res.text).not.toMatch(/hunter2|stack|\bat .*:\d+:\d+/);
      expect(onError).toHaveBeenCalledTimes(1);
      expect(onError.mock.calls[0]![0]).toBe(cause);
      expect((onError.mock.calls[0]![1] as Request).originalUrl).toBe('/token');
    });
  });

  describe('audit hooks', () => {
    test('onIssued gets metadata, never the token', async () => {
      const onIssued = vi.fn<(event: IssuedEvent<TestUser, Request>) => void>();
      const res = await postJson(appWith({ onIssued }), { room: 'standup' });
      expectResponse(res, 200);
      expect(onIssued).toHaveBeenCalledTimes(1);
      const { request: req, ...event } = onIssued.mock.calls[0]![0];
      const { claims } = verify(res.body.token);
      expect(event).toEqual({
        identity: 'alice',
        grants: ['video'],
        jti: claims.jti,
        keySid: CREDENTIALS.keys.sid,
        expiresAt: new Date(res.body.expiresAt),
        ttl: 3600,
        user: ALICE,
      });
      expect(req.originalUrl).toBe('/token');
      expect(JSON.stringify(event)).not.toContain(res.body.token);
    });

    test('onDenied gets the code and reason of every refusal', async () => {
      const onDenied = vi.fn<(event: DeniedEvent<TestUser, Request>) => void>();
      const route = createTokenRoute<TestUser>({ credentials: CREDENTIALS, policy: roomPolicy, onDenied });
      const app = express();
      app.use((req, _res, next) => {
        if (req.get('x-test-user') === 'bob') logIn(req, BOB);
        next();
      });
      app.use('/token', route);

      expectError(await postJson(app, { room: 'other' }).set('x-test-user', 'bob'), 403, 'FORBIDDEN');
      expectError(await postJson(app, { room: 'other' }), 401, 'UNAUTHENTICATED');
      const events = onDenied.mock.calls.map(([{ request: req, ...event }]) => event);
      expect(events).toEqual([
        { identity: 'bob', code: 'FORBIDDEN', status: 403, reason: GUEST_REFUSAL, user: BOB },
        { identity: undefined, code: 'UNAUTHENTICATED', status: 401, reason: 'Log in to get a token.', user: undefined },
      ]);
    });
  });

  describe('getUser', () => {
    const fromHeader = (req: Request): TestUser | undefined => (req.get('x-test-user') === 'bob' ? BOB : undefined);

    test.each([
      ['sync', fromHeader],
      [
        'async',
        async (req: Request) => {
          await new Promise((resolve) => setImmediate(resolve));
          return fromHeader(req);
        },
      ],
    ])('%s: its user gets the token, and no user is 401', async (_kind, getUser) => {
      const app = appWith({ getUser }, { user: ALICE });
      const res = await postJson(app, { room: 'lobby' }).set('x-test-user', 'bob');
      expectResponse(res, 200);
      expect(res.body.identity).toBe('bob');
      // req.user is alice, but getUser replaces it.
      expectError(await postJson(app, { room: 'lobby' }), 401, 'UNAUTHENTICATED');
    });
  });

  describe('after the app body parsers', () => {
    const before = [express.json({ limit: '1mb' }), express.urlencoded({ extended: false })];

    test('a body express.json() already parsed is used', async () => {
      const policy = vi.fn(roomPolicy);
      const res = await postJson(appWith({ policy }, { before }), { room: 'standup', identity: 'admin' });
      expectResponse(res, 200);
      expect(res.body.identity).toBe('alice');
      expect(policy.mock.calls[0]![0].params).toEqual({ room: 'standup' });
    });

    test('an empty JSON POST is still no params; without Content-Type still 415', async () => {
      expectResponse(await request(appWith({}, { before })).post('/token').set('content-type', 'application/json'), 200);
      expectError(await request(appWith({}, { before })).post('/token'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    test('the route still enforces its bodyLimit, content type and object shape', async () => {
      const app = appWith({ bodyLimit: 64 }, { before });
      expectError(await postJson(app, { room: 'x'.repeat(100) }), 413, 'PAYLOAD_TOO_LARGE');
      expectError(await request(app).post('/token').type('form').send('room=a'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectError(await request(app).post('/token').set('content-type', 'text/plain').send('{"room":"a"}'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectError(await postJson(app, [1, 2]), 400, 'BAD_REQUEST');
    });

    test("the parser's invalid JSON is the route's JSON 400, not the app's error page", async () => {
      const res = await request(appWith({}, { before })).post('/token').set('content-type', 'application/json').send('{"room":');
      expect(expectError(res, 400, 'BAD_REQUEST').message).toBe('The request body is not valid JSON.');
      expect(res.text).not.toMatch(/SyntaxError|at .*\.js/);
    });

    test("the strict parser's refusal of valid JSON that is not an object is the route's own 400 for it", async () => {
      const res = await request(appWith({}, { before })).post('/token').set('content-type', 'application/json').send('null');
      expect(expectError(res, 400, 'BAD_REQUEST').message).toBe('The request body must be a JSON object, e.g. {"room":"lobby"}.');
    });

    test("a body over the parser's own limit is the route's JSON 413", async () => {
      const app = appWith({ bodyLimit: 1_000_000 }, { before: [express.json({ limit: 100 })] });
      const res = await request(app)
        .post('/token')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ room: 'x'.repeat(200) }));
      expect(expectError(res, 413, 'PAYLOAD_TOO_LARGE').message).toBe('The request body is larger than 100 bytes.');
    });

    test("a CSRF middleware's refusal (http-errors 403) is the route's JSON 403, audited", async () => {
      const onDenied = vi.fn();
      const csrf: RequestHandler = (_req, _res, next) =>
        next(Object.assign(new Error('invalid csrf token'), { status: 403, expose: true, code: 'EBADCSRFTOKEN' }));
      const res = await postJson(appWith({ onDenied }, { before: [csrf] }), { room: 'standup' });
      expect(expectError(res, 403, 'FORBIDDEN').message).toBe('Refused before the token route ran: invalid csrf token');
      expect(onDenied).toHaveBeenCalledWith(expect.objectContaining({ code: 'FORBIDDEN' }));
    });

    test("Passport's failWithError refusal (passport-jwt) is the route's JSON 401 with no-store", async () => {
      const strategy = new JwtStrategy(
        { jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: JWT_KEY, algorithms: ['HS256'] },
        (claims: { sub: string }, done: (error: null, user: TestUser) => void) => done(null, { id: claims.sub, role: 'host' }),
      );
      const authenticator = new passport.Passport().use(strategy);
      const app = express();
      app.use('/token', authenticator.authenticate('jwt', { session: false, failWithError: true }));
      app.use('/token', createTokenRoute<TestUser>({ credentials: CREDENTIALS, policy: roomPolicy }));
      const ask = (authorization?: string) => {
        const req = request(app).post('/token').set('content-type', 'application/json');
        return (authorization ? req.set('authorization', authorization) : req).send({});
      };
      expectResponse(await ask(`Bearer ${jwt.sign({ sub: 'carol' }, JWT_KEY)}`), 200);
      for (const authorization of [
        `Bearer ${jwt.sign({ sub: 'carol', exp: 1 }, JWT_KEY)}`,
        `Bearer ${jwt.sign({ sub: 'carol' }, 'another key')}`,
        'Bearer x.y.z',
      ]) {
        const res = await ask(authorization);
        expectError(res, 401, 'INVALID_BEARER_TOKEN');
        expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      }
      const res = await ask();
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(res.text).not.toMatch(/AuthenticationError|at .*\.js/);
    });

    test("server errors and other paths' errors stay the app's", async () => {
      const failing: RequestHandler = (_req, _res, next) => next(Object.assign(new Error('store down'), { status: 503 }));
      const app = appWith({}, { before: [...before, failing] });
      app.use(((error, _req, res, _next) => res.status(599).send(`app handler: ${error.message}`)) as express.ErrorRequestHandler);
      expect((await postJson(app, {})).status).toBe(599);
      const sub = await request(appWith({}, { before })).post('/token/below').set('content-type', 'application/json').send('{bad');
      expect([sub.status, sub.headers['content-type']]).toEqual([400, expect.stringContaining('text/html')]);
    });
  });

  describe('validators', () => {
    const validators = [body('device').optional().isIn(['web', 'ios']).withMessage('device must be web or ios')];

    test('a custom param reaches the policy through params', async () => {
      const policy = vi.fn(roomPolicy);
      const res = await postJson(appWith({ policy, validators }), { room: 'standup', device: 'ios' });
      expectResponse(res, 200);
      expect(policy.mock.calls[0]![0].params).toEqual({ room: 'standup', device: 'ios' });
    });

    test('a custom param that fails its chain is 400 with details', async () => {
      const error = expectError(await postJson(appWith({ validators }), { device: 'tv' }), 400, 'BAD_REQUEST');
      expect(error.details).toEqual([expect.objectContaining({ path: 'device', msg: 'device must be web or ios', value: 'tv' })]);
    });
  });

  test('answers only its own path, not the paths below it', async () => {
    expect(await postJson(appWith(), {}).then((res) => res.status)).toBe(200);
    expect((await request(appWith()).post('/token/extra').send({})).status).toBe(404);
  });
}
