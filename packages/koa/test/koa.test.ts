// What only the Koa adapter does: where it finds the user and the body, how it is mounted, and that
// it works on Koa 3 and Koa 2. The HTTP contract itself is test/adapter-conformance.test.ts.
import { type DeniedEvent, type PolicyContext, type PolicyDecision, verifyAccessToken } from '@grantor/core';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import Koa2 from 'koa2';
import request from 'supertest';
import { createRequire } from 'node:module';
import { describe, expect, test, vi } from 'vitest';
import { createTokenRoute, isClientDisconnect, type TokenRouteOptions } from '../src/index.js';

interface TestUser {
  id: string;
}

const CREDENTIALS = { accountSid: `AC${'a'.repeat(32)}`, keys: { sid: `SK${'b'.repeat(32)}`, secret: 'koa-test-secret' } };
const roomPolicy = ({ params }: PolicyContext<TestUser, Context>): PolicyDecision => ({ grants: { video: { room: params.room as string | undefined } } });

interface AppSetup {
  Koa?: typeof Koa;
  /** What koa-passport puts on `ctx.state.user`; null for nobody. */
  user?: TestUser | null;
  /** Middleware run before the route (body parsers). */
  before?: Koa.Middleware[];
  mount?: 'router.all' | 'router.post' | 'app.use';
}

function appWith(
  options: Partial<TokenRouteOptions<TestUser>> = {},
  { Koa: App = Koa, user = { id: 'alice' }, before = [], mount = 'router.all' }: AppSetup = {},
) {
  const app = new App();
  // Koa would log the errors it answers (the body parser's 400); the tests read them from the response.
  app.silent = true;
  app.use(async (ctx, next) => {
    if (user) ctx.state.user = user;
    await next();
  });
  for (const middleware of before) app.use(middleware);
  const route = createTokenRoute<TestUser>({ credentials: CREDENTIALS, policy: roomPolicy, ...options });
  if (mount === 'app.use') {
    app.use(route);
  } else {
    const router = new Router();
    if (mount === 'router.all') router.all('/api/token', route);
    else router.post('/api/token', route);
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app.callback();
}

const identityOf = (token: string) => verifyAccessToken(token, CREDENTIALS).claims.grants?.identity;

const koaVersion = (name: string) => (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;

describe.each([
  ['Koa 3', Koa, 'koa', '3.'],
  ['Koa 2', Koa2, 'koa2', '2.'],
])('createTokenRoute on %s', (_title, App, packageName, major) => {
  test('the app is built with that Koa', () => {
    expect(koaVersion(packageName).startsWith(major)).toBe(true);
    expect(App === Koa).toBe(packageName === 'koa');
  });

  test('the user is ctx.state.user (koa-passport)', async () => {
    const res = await request(appWith({}, { Koa: App, user: { id: 'carol' } }))
      .post('/api/token')
      .send({ room: 'standup' });
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' });
    expect(identityOf(res.body.token)).toBe('carol');
  });

  test('no ctx.state.user is 401', async () => {
    const res = await request(appWith({}, { Koa: App, user: null }))
      .post('/api/token')
      .send({});
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  test('getUser(ctx) replaces ctx.state.user, sync or async', async () => {
    const fromHeader = (ctx: Context) => (ctx.get('x-user') ? { id: ctx.get('x-user') } : undefined);
    for (const getUser of [fromHeader, async (ctx: Context) => fromHeader(ctx)]) {
      const app = appWith({ getUser }, { Koa: App, user: { id: 'alice' } });
      const res = await request(app).post('/api/token').set('x-user', 'dave').send({});
      expect(identityOf(res.body.token)).toBe('dave');
      expect((await request(app).post('/api/token').send({})).status).toBe(401);
    }
  });

  test('the policy and the hooks get the Koa ctx as request', async () => {
    const policy = vi.fn(roomPolicy);
    const onDenied = vi.fn<(event: DeniedEvent<TestUser, Context>) => void>();
    const app = appWith({ policy, onDenied }, { Koa: App });
    await request(app).post('/api/token?from=test').send({ room: 'standup' });
    const ctx = policy.mock.calls[0]![0].request;
    expect(ctx.originalUrl).toBe('/api/token?from=test');
    expect(ctx.state.user).toEqual({ id: 'alice' });
    await request(app).post('/api/token').send({ room: 7 });
    expect(onDenied.mock.calls[0]![0].request.state.user).toEqual({ id: 'alice' });
  });

  test('app.use mounts it without a router', async () => {
    const res = await request(appWith({}, { Koa: App, mount: 'app.use' }))
      .post('/token')
      .send({});
    expect(res.status).toBe(200);
  });
});

describe('mounting with @koa/router', () => {
  test('router.all: grantor answers other methods (405, Allow, no-store, JSON)', async () => {
    const res = await request(appWith()).get('/api/token');
    expect(res.status).toBe(405);
    expect(res.headers).toMatchObject({ allow: 'POST', 'cache-control': 'no-store' });
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  test('router.post + allowedMethods(): the router answers other methods, without grantor headers', async () => {
    const onDenied = vi.fn();
    const res = await request(appWith({ onDenied }, { mount: 'router.post' })).get('/api/token');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.headers['cache-control']).toBeUndefined();
    expect(onDenied).not.toHaveBeenCalled();
  });
});

describe('after @koa/bodyparser', () => {
  const before = [bodyParser()];

  test('the parsed ctx.request.body is used, and a client identity is still dropped', async () => {
    const policy = vi.fn(roomPolicy);
    const res = await request(appWith({ policy }, { before })).post('/api/token').send({ room: 'standup', identity: 'admin' });
    expect(res.status).toBe(200);
    expect(identityOf(res.body.token)).toBe('alice');
    expect(policy.mock.calls[0]![0].params).toEqual({ room: 'standup' });
  });

  test('the route still checks the content type, size and shape', async () => {
    const app = appWith({ bodyLimit: 64 }, { before });
    expect(
      (
        await request(app)
          .post('/api/token')
          .send({ room: 'x'.repeat(100) })
      ).status,
    ).toBe(413);
    expect((await request(app).post('/api/token').type('form').send('room=a')).status).toBe(415);
    expect((await request(app).post('/api/token').send([1, 2])).body.error.code).toBe('BAD_REQUEST');
    expect((await request(app).post('/api/token').set('content-type', 'application/json')).status).toBe(200);
    expect((await request(app).post('/api/token')).status).toBe(415);
  });

  test('invalid JSON is answered by the body parser (Koa text 400), before grantor runs', async () => {
    const onDenied = vi.fn();
    const res = await request(appWith({ onDenied }, { before })).post('/api/token').set('content-type', 'application/json').send('{"room":');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(onDenied).not.toHaveBeenCalled();
  });
});

describe('isClientDisconnect', () => {
  test("is true for a client's broken connection, false for server errors", () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_EOF_STATE']) {
      expect(isClientDisconnect(Object.assign(new Error('Parse Error'), { code }))).toBe(true);
    }
    for (const error of [new Error('boom'), Object.assign(new Error('db'), { code: 'ECONNREFUSED' }), null, undefined, 'ECONNRESET']) {
      expect(isClientDisconnect(error)).toBe(false);
    }
  });
});
