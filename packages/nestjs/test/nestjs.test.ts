// GrantorModule in Nest apps on the Express platform, built without decorator syntax (the decorators
// applied as functions, as the module itself does): guards that set req.user or refuse, Nest's
// app-wide body parser, a global prefix, forRootAsync with an injected config provider.
import { gzipSync } from 'node:zlib';
import { type PolicyDecision, verifyAccessToken } from '@grantor/core';
import { type CanActivate, Controller, type ExecutionContext, type INestApplication, Module, Post, Req, UnauthorizedException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request } from 'express';
import { afterAll, describe, expect, test } from 'vitest';
import { type GrantorOptions, GrantorModule } from '../src/index.js';

interface TestUser {
  userId: string;
  role: 'host' | 'guest';
}

const SECRET = 'nest-secret-that-must-never-leak';
const CREDENTIALS = { accountSid: `AC${'a'.repeat(32)}`, keys: { sid: `SK${'b'.repeat(32)}`, secret: SECRET } };
const USERS: Record<string, TestUser> = { alice: { userId: '1', role: 'host' }, bob: { userId: '2', role: 'guest' } };

function policy({ user, params }: { user: TestUser; params: Record<string, unknown> }): PolicyDecision {
  if (user.role === 'guest' && params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
  return { grants: { video: { room: params.room as string | undefined } } };
}

/** What AuthGuard('jwt') does: the user on req.user, or an UnauthorizedException. */
class FakeJwtGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const name = req.get('x-user') ?? '';
    if (name === 'guard-crashes') throw new Error('the session store is down');
    if (!USERS[name]) throw new UnauthorizedException();
    Object.assign(req, { user: USERS[name] });
    return true;
  }
}

/** One of the app's own routes, parsed by Nest as before grantor came. */
class NotesController {
  save(req: Request) {
    return { saved: req.body as unknown };
  }
}
Req()(NotesController.prototype, 'save', 0);
Post()(NotesController.prototype, 'save', Object.getOwnPropertyDescriptor(NotesController.prototype, 'save')!);
Controller('notes')(NotesController);

const errors: unknown[] = [];
const OPTIONS: GrantorOptions<TestUser> = { credentials: CREDENTIALS, policy, identity: (user) => user.userId, onError: (error) => void errors.push(error) };

const apps: INestApplication[] = [];
afterAll(() => Promise.all(apps.map((app) => app.close())));

async function start(grantor: ReturnType<typeof GrantorModule.forRoot>, prefix?: string): Promise<string> {
  class AppModule {}
  Module({ imports: [grantor], controllers: [NotesController] })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  if (prefix) app.setGlobalPrefix(prefix);
  await app.listen(0, '127.0.0.1');
  apps.push(app);
  return app.getUrl();
}

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', body: body as BodyInit, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  expect(text).not.toContain(SECRET);
  return { status: res.status, headers: res.headers, json: JSON.parse(text) as Record<string, any> };
}

function expectGrantor(answer: Awaited<ReturnType<typeof post>>, status: number, code?: string): void {
  expect({ status: answer.status, json: answer.json }).toMatchObject({ status, ...(code && { json: { error: { code } } }) });
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
}

describe('GrantorModule.forRoot behind a JWT-style guard', async () => {
  const url = await start(GrantorModule.forRoot<TestUser>({ guards: [new FakeJwtGuard()], ...OPTIONS }));
  const token = `${url}/api/token`;

  test('a token whose identity is identity(user), whatever the body says', async () => {
    const answer = await post(token, '{"room":"standup","identity":"admin"}', { 'x-user': 'alice' });
    expectGrantor(answer, 200);
    expect(verifyAccessToken(answer.json.token, CREDENTIALS).claims.grants).toEqual({ identity: '1', video: { room: 'standup' } });
  });

  test("the guard's 401 and a policy's refusal are grantor's JSON", async () => {
    expectGrantor(await post(token, '{}'), 401, 'UNAUTHENTICATED');
    expectGrantor(await post(token, '{"room":"standup"}', { 'x-user': 'bob' }), 403, 'FORBIDDEN');
  });

  test("a guard that throws is grantor's 500, with its cause in onError", async () => {
    errors.length = 0;
    expectGrantor(await post(token, '{}', { 'x-user': 'guard-crashes' }), 500, 'INTERNAL_ERROR');
    expect(errors.map(String)).toEqual(['Error: the session store is down']);
  });

  test("Nest's body parser's refusals on the route are grantor's JSON; grantor reads what it did not parse", async () => {
    const alice = { 'x-user': 'alice' };
    expectGrantor(await post(token, '{"room":', alice), 400, 'BAD_REQUEST');
    expectGrantor(await post(token, '{"room":"lobby"}', { ...alice, 'content-type': 'application/json; charset=latin1' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectGrantor(await post(token, 'room=lobby', { ...alice, 'content-type': 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectGrantor(await post(token, 'room: lobby', { ...alice, 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectGrantor(await post(token, '', alice), 200);
    expectGrantor(await post(token, JSON.stringify({ room: 'lobby', pad: 'x'.repeat(9000) }), alice), 413, 'PAYLOAD_TOO_LARGE');
    // Nest's parser inflates gzip before any route, as express.json() does: grantor gets the params.
    expectGrantor(await post(token, gzipSync('{"room":"lobby"}'), { ...alice, 'content-encoding': 'gzip' }), 200);
  });

  test('other methods: 405 with Allow', async () => {
    const res = await fetch(token, { method: 'PUT', headers: { 'x-user': 'alice' } });
    expect([res.status, res.headers.get('allow'), res.headers.get('cache-control')]).toEqual([405, 'POST', 'no-store']);
  });

  test("the app's other routes keep Nest's answers", async () => {
    expect((await post(`${url}/notes`, '{"a":1}')).json).toEqual({ saved: { a: 1 } });
    const invalid = await post(`${url}/notes`, '{"a":');
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ statusCode: 400 });
    expect(invalid.headers.get('cache-control')).toBeNull();
  });
});

describe('GrantorModule.forRootAsync, under a global prefix', async () => {
  const CONFIG = Symbol('config');
  class ConfigModule {}
  Module({ providers: [{ provide: CONFIG, useValue: { get: () => CREDENTIALS } }], exports: [CONFIG] })(ConfigModule);
  const grantor = GrantorModule.forRootAsync<TestUser>({
    imports: [ConfigModule],
    inject: [CONFIG],
    useFactory: (config: { get(): typeof CREDENTIALS }) => ({ ...OPTIONS, credentials: config.get() }),
    path: '/tokens/twilio/',
    guards: [FakeJwtGuard],
  });
  const url = await start(grantor, 'v1');

  test('serves the route at the prefixed path, with the body errors answered there', async () => {
    expectGrantor(await post(`${url}/v1/tokens/twilio`, '{"room":"lobby"}', { 'x-user': 'bob' }), 200);
    expectGrantor(await post(`${url}/v1/tokens/twilio`, '{"room":', { 'x-user': 'bob' }), 400, 'BAD_REQUEST');
    expectGrantor(await post(`${url}/v1/tokens/twilio`, '{}'), 401, 'UNAUTHENTICATED');
  });
});

describe('behind a guard that returns false (a session guard)', async () => {
  /** Sets req.user as passport.session() would, then allows only alice, as an isAuthenticated()-style guard. */
  const sessionGuard: CanActivate = {
    canActivate(context: ExecutionContext) {
      const req = context.switchToHttp().getRequest<Request>();
      Object.assign(req, { user: USERS[req.get('x-user') ?? ''] });
      return req.get('x-user') === 'alice';
    },
  };
  const url = await start(GrantorModule.forRoot<TestUser>({ ...OPTIONS, path: 'token', guards: [sessionGuard] }));

  test("nobody logged in is grantor's 401; a logged-in user the guard refuses, its 403", async () => {
    expectGrantor(await post(`${url}/token`, '{}'), 401, 'UNAUTHENTICATED');
    expectGrantor(await post(`${url}/token`, '{}', { 'x-user': 'bob' }), 403, 'FORBIDDEN');
    expectGrantor(await post(`${url}/token`, '{}', { 'x-user': 'alice' }), 200);
  });
});
