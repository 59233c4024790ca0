import { createTokenHandler, type GetUser, type TokenHandlerOptions, type TokenRequest, type TokenResponse } from '@grantor/core';
import { finished } from 'node:stream/promises';
import type { FastifyError, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The user your authentication puts on `request.user`, as its types declare it (@fastify/passport's
 * `PassportUser`, @fastify/jwt's `FastifyJWT['user']`), or unknown.
 */
export type RequestUser = FastifyRequest extends { user?: infer TUser } ? (unknown extends TUser ? unknown : NonNullable<TUser>) : unknown;

export type GrantorOptions<TUser = RequestUser> = TokenHandlerOptions<TUser, FastifyRequest> & {
  /**
   * Reads the authenticated user from the request; return null or undefined when nobody is logged in.
   * @default (request) => request.user (@fastify/passport, or @fastify/jwt after request.jwtVerify())
   */
  getUser?: GetUser<TUser, [request: FastifyRequest]> | undefined;
};

/**
 * The plugin, for a user type of your own (one `getUser` returns):
 * `fastify.register(grantor as GrantorPlugin<MyUser>, { prefix, credentials, policy, getUser })`.
 */
export type GrantorPlugin<TUser = RequestUser> = FastifyPluginCallback<GrantorOptions<TUser>>;

const send = (reply: FastifyReply, response: TokenResponse) => reply.code(response.status).headers(response.headers).send(response.body);

/** Fastify's convention: an error with a 4xx `statusCode` is the client's, and its message is meant for it. */
function asClientError(error: unknown) {
  const { statusCode, message } = (error ?? {}) as Partial<FastifyError>;
  return { status: statusCode, expose: typeof statusCode === 'number' && statusCode < 500, message };
}

/** Fastify's own refusals of a request's Content-Type, made before the route's parser could run. */
const CONTENT_TYPE_REFUSALS = new Set(['FST_ERR_CTP_INVALID_MEDIA_TYPE', 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE']);

const plugin: FastifyPluginCallback<GrantorOptions<any>> = (fastify, options, done) => {
  const handler = createTokenHandler<unknown, FastifyRequest>(options);
  /** Requests the error handler below is answering. */
  const answeringError = new WeakSet<FastifyRequest>();
  const getUser = options.getUser ?? ((request: FastifyRequest) => (request as FastifyRequest & { user?: unknown }).user);
  const tokenRequestOf = (request: FastifyRequest): TokenRequest<unknown, FastifyRequest> => ({
    method: request.method,
    headers: request.headers,
    getUser: () => getUser(request),
    query: request.query as Record<string, unknown>,
    // The parser below hands over the body stream unread: grantor reads it, under its own rules.
    body: request.body ? { stream: request.body as AsyncIterable<Uint8Array> } : undefined,
    request,
  });

  // Only inside this plugin's context: the app's other routes keep their parsers.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, payload, parsed) => parsed(null, payload));
  // Client errors of the app's hooks for this route (an @fastify/jwt 401, a CSRF 403) get grantor's JSON;
  // anything else goes on to the app's error handler.
  fastify.setErrorHandler(async (error, request, reply) => {
    answeringError.add(request);
    // Fastify refuses a malformed Content-Type before any parser; the pipeline answers it in its own order.
    const tokenRequest = tokenRequestOf(request);
    const response = CONTENT_TYPE_REFUSALS.has((error as FastifyError).code)
      ? await handler.handle(tokenRequest)
      : await handler.handleMiddlewareError(asClientError(error), tokenRequest);
    if (!response) throw error;
    return send(reply, response);
  });
  fastify.all('/', async (request, reply) => {
    // A hook that sends its error without `return reply` (as @fastify/jwt's README does) lets Fastify go on
    // to this handler while the error handler, async here, still answers that error: that answer stands.
    if (answeringError.has(request)) return void (await finished(reply.raw).catch(() => undefined));
    return send(reply, await handler.handle(tokenRequestOf(request)));
  });
  done();
};

/**
 * A Fastify plugin that issues Twilio Access Tokens to the logged-in user, at its `prefix`:
 * `app.register(grantor, { prefix: '/api/token', credentials, policy })`. Register it after your
 * authentication (it reads `request.user`). Its route reads its own JSON body (your app's content-type
 * parsers stay as they are for every other route) and answers every request, success or error, with
 * JSON and `Cache-Control: no-store`, including the client errors your hooks raise for it (a 401 from
 * `request.jwtVerify()`). Credentials are checked on the first request. The policy and the hooks get
 * the `FastifyRequest` as `request`.
 */
const grantor: GrantorPlugin = fp(plugin, { fastify: '5.x', name: '@grantor/fastify', encapsulate: true });
export default grantor;
export { grantor };
export type { DeniedEvent, IssuedEvent, PolicyContext, PolicyDecision } from '@grantor/core';
