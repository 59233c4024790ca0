// The six HTTP cases. Each gets the same stub user and issues (or pretends to issue) the same token.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createSigner } from '@grantor/core';
import express from 'express';
import { ACCOUNT_SID, API_KEY, baselineSigner, CREDENTIALS, ROOM, STUB_USER, TwilioAccessToken } from '../lib/fixtures.mjs';

/** The grantor policy every grantor case uses: a video grant for the room in the JSON body. */
const policy = ({ params }) => ({ grants: { video: { room: params.room } } });

/** The same middleware stack for every Express case: a JSON body parser and the logged-in user. */
function expressApp() {
  const app = express();
  app.use(express.json());
  app.use((req, _res, next) => {
    req.user = STUB_USER;
    next();
  });
  return app;
}

/** (a) A bare route with a fixed body the size and shape of a token response. */
function expressBare() {
  const token = createSigner(CREDENTIALS).sign({ identity: STUB_USER.id, grants: { video: { room: ROOM } } });
  const fixed = { token: token.token, identity: token.identity, expiresAt: token.expiresAt.toISOString(), ttl: token.ttl };
  const app = expressApp();
  app.post('/token', (_req, res) => res.json(fixed));
  return createServer(app);
}

/** (b) The usual hand-written route around twilio-node. */
function expressTwilio() {
  const app = expressApp();
  app.post('/token', (req, res) => {
    const token = new TwilioAccessToken(ACCOUNT_SID, API_KEY.sid, API_KEY.secret, { identity: req.user.id, ttl: 3600 });
    token.addGrant(new TwilioAccessToken.VideoGrant({ room: req.body.room }));
    res.set('Cache-Control', 'no-store');
    res.json({ token: token.toJwt(), identity: req.user.id });
  });
  return createServer(app);
}

/** (c) grantor's Express route. */
async function expressGrantor() {
  const { createTokenRoute } = await import('@grantor/express');
  const app = expressApp();
  app.use('/token', createTokenRoute({ credentials: CREDENTIALS, policy }));
  return createServer(app);
}

/**
 * (f) grantor's Express route with a RateLimiterRedis on the loopback Redis of GRANTOR_BENCH_REDIS_URL
 * (bench.mjs starts it): one Redis round trip per token. `points` is far above what a run issues, so
 * every request is counted and none is refused.
 */
async function expressGrantorRedis() {
  const [{ createTokenRoute }, { Redis }, { RateLimiterRedis }] = await Promise.all([
    import('@grantor/express'),
    import('ioredis'),
    import('rate-limiter-flexible'),
  ]);
  const redis = new Redis(process.env.GRANTOR_BENCH_REDIS_URL, { enableOfflineQueue: false });
  // Without an offline queue, a request before the connection is up would be a 503.
  await once(redis, 'ready');
  const rateLimit = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'grantor-bench', points: 1e9, duration: 60 });
  const app = expressApp();
  app.use('/token', createTokenRoute({ credentials: CREDENTIALS, policy, rateLimit }));
  return createServer(app);
}

/**
 * (g) grantor's Express route for a native app: no session, the user from the identity provider's
 * RS256 JWT in Authorization (bearerUser; the JWKS of a loopback provider, fetched on the first
 * request and cached). The load generator sends the token the server reports (server.requestHeaders).
 */
async function expressBearer() {
  const [{ createTokenRoute }, { bearerUser }, { AUDIENCE, providerToken, startProvider }] = await Promise.all([
    import('@grantor/express'),
    import('@grantor/core'),
    import('../bearer.mjs'),
  ]);
  const provider = await startProvider();
  const app = express();
  app.use(express.json());
  app.use('/token', createTokenRoute({ credentials: CREDENTIALS, policy, getUser: bearerUser({ issuer: provider.issuer, audience: AUDIENCE }) }));
  return Object.assign(createServer(app), { requestHeaders: { authorization: `Bearer ${providerToken('RS256', provider.issuer)}` } });
}

/** (d) grantor's Koa route, which reads the JSON body itself (no body parser). */
async function koaGrantor() {
  const [{ default: Koa }, { default: Router }, { createTokenRoute }] = await Promise.all([import('koa'), import('@koa/router'), import('@grantor/koa')]);
  const app = new Koa();
  const router = new Router();
  app.use((ctx, next) => {
    ctx.state.user = STUB_USER;
    return next();
  });
  router.post('/token', createTokenRoute({ credentials: CREDENTIALS, policy }));
  app.use(router.routes());
  return createServer(app.callback());
}

/**
 * (e) grantor's Next.js App Router handler behind a minimal node:http to Web Request bridge:
 * `next start` would measure Next.js's own router and rendering server, not grantor.
 */
async function nextGrantor() {
  const { createTokenRoute } = await import('@grantor/next');
  const { POST } = createTokenRoute({ credentials: CREDENTIALS, policy, getUser: () => STUB_USER });
  return createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers: req.headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const response = await POST(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
}

/** A Fastify app with the stub user on request.user (as @fastify/passport sets it); Fastify parses JSON itself. */
async function fastifyApp() {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    request.user = STUB_USER;
  });
  return app;
}

/** A Fastify app as a node:http server (its own, which fastify.listen would start). */
async function fastifyServer(app) {
  await app.ready();
  return app.server;
}

/** (h) A bare Fastify route with the fixed token-sized JSON of (a). */
async function fastifyBare() {
  const token = createSigner(CREDENTIALS).sign({ identity: STUB_USER.id, grants: { video: { room: ROOM } } });
  const fixed = { token: token.token, identity: token.identity, expiresAt: token.expiresAt.toISOString(), ttl: token.ttl };
  const app = await fastifyApp();
  app.post('/token', async () => fixed);
  return fastifyServer(app);
}

/** (i) The usual hand-written Fastify route around twilio-node. */
async function fastifyTwilio() {
  const app = await fastifyApp();
  app.post('/token', async (request, reply) => {
    const token = new TwilioAccessToken(ACCOUNT_SID, API_KEY.sid, API_KEY.secret, { identity: request.user.id, ttl: 3600 });
    token.addGrant(new TwilioAccessToken.VideoGrant({ room: request.body.room }));
    reply.header('Cache-Control', 'no-store');
    return { token: token.toJwt(), identity: request.user.id };
  });
  return fastifyServer(app);
}

/** (m) The least any route issuing this token does: the bench's node:crypto HS256 baseline, no checks. */
async function fastifyLimit() {
  const sign = baselineSigner();
  const app = await fastifyApp();
  app.post('/token', async (request, reply) => {
    const identity = request.user.id;
    const token = sign({ identity, video: { room: request.body.room } });
    reply.header('Cache-Control', 'no-store');
    return { token, identity, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), ttl: 3600 };
  });
  return fastifyServer(app);
}

/** (j) grantor's Fastify plugin, which reads the JSON body itself. */
async function fastifyGrantor() {
  const { default: grantor } = await import('@grantor/fastify');
  const app = await fastifyApp();
  await app.register(grantor, { prefix: '/token', credentials: CREDENTIALS, policy });
  return fastifyServer(app);
}

/** A Nest app on its Express platform whose app-wide guard puts the stub user on req.user, as AuthGuard('jwt') would. */
async function nestServer(imports, controllers = []) {
  const [{ Module }, { APP_GUARD, NestFactory }] = await Promise.all([import('@nestjs/common'), import('@nestjs/core')]);
  const guard = { canActivate: (context) => Boolean((context.switchToHttp().getRequest().user = STUB_USER)) };
  class AppModule {}
  Module({ imports, controllers, providers: [{ provide: APP_GUARD, useValue: guard }] })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.init();
  return createServer(app.getHttpAdapter().getInstance());
}

/** (k) A bare Nest controller with the fixed token-sized JSON of (a). */
async function nestBare() {
  const { Controller, HttpCode, Post } = await import('@nestjs/common');
  const token = createSigner(CREDENTIALS).sign({ identity: STUB_USER.id, grants: { video: { room: ROOM } } });
  const fixed = { token: token.token, identity: token.identity, expiresAt: token.expiresAt.toISOString(), ttl: token.ttl };
  class TokenController {
    token() {
      return fixed;
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(TokenController.prototype, 'token');
  // 200 as the other routes answer, not Nest's default 201 for a POST.
  for (const decorate of [Post(), HttpCode(200)]) decorate(TokenController.prototype, 'token', descriptor);
  Controller('token')(TokenController);
  return nestServer([], [TokenController]);
}

/** (l) grantor's Nest module. */
async function nestGrantor() {
  const { GrantorModule } = await import('@grantor/nestjs');
  return nestServer([GrantorModule.forRoot({ path: 'token', credentials: CREDENTIALS, policy })]);
}

export const HTTP_CASES = [
  { id: 'express-bare', label: '(a) bare Express route, fixed JSON', create: expressBare },
  { id: 'express-twilio', label: '(b) Express + twilio-node, hand-written', create: expressTwilio },
  { id: 'express-grantor', label: '(c) grantor Express route', create: expressGrantor },
  { id: 'koa-grantor', label: '(d) grantor Koa route', create: koaGrantor },
  { id: 'next-grantor', label: '(e) grantor Next App Router handler', create: nextGrantor },
  { id: 'express-grantor-redis', label: '(f) grantor Express route + RateLimiterRedis', create: expressGrantorRedis, needsRedis: true },
  { id: 'express-grantor-bearer', label: '(g) grantor Express route, user from a bearer JWT (bearerUser, RS256)', create: expressBearer },
  { id: 'fastify-bare', label: '(h) bare Fastify route, fixed JSON', create: fastifyBare },
  { id: 'fastify-twilio', label: '(i) Fastify + twilio-node, hand-written', create: fastifyTwilio },
  { id: 'fastify-grantor', label: '(j) grantor Fastify plugin', create: fastifyGrantor },
  { id: 'nest-bare', label: '(k) bare Nest controller, fixed JSON', create: nestBare },
  { id: 'nest-grantor', label: '(l) grantor Nest module (GrantorModule)', create: nestGrantor },
  { id: 'fastify-limit', label: '(m) Fastify route that only signs (node:crypto HS256, no checks): the floor under (j)', create: fastifyLimit },
];
