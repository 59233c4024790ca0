import { AccessTokenError } from '../errors.js';
import { createAudit } from './audit.js';
import { readParams } from './body.js';
import { checkHost } from './host.js';
import { checkMethod } from './method.js';
import { middlewareClientError } from './middleware-errors.js';
import { resolveOptions } from './options.js';
import { checkOrigin } from './origin.js';
import { createParamsValidator } from './params.js';
import { decideGrants } from './policy.js';
import { watchRebuilds } from './rebuilt.js';
import { errorResponse, respond } from './response.js';
import { isPromiseLike } from './settle.js';
import { issueToken, tokenPayload } from './sign.js';
import type { TokenHandler, TokenHandlerOptions, TokenRequest, TokenResponse } from './types.js';
import { findUser, identityOf } from './user.js';

/**
 * The token route without a framework: turns a request description into `{ status, headers, body }`.
 * Each request runs the pipeline method → host → origin → user → body → params → policy → limit → sign → audit,
 * one file per step in this folder. Configuration errors throw here, at start-up; the credentials'
 * values are checked on the first request (see `credentials`).
 *
 * Create it once, at module level: it holds the in-process `rateLimit` count and the prepared signing
 * key. A route created anew for each request warns once in the server log (see `rebuilt.ts`).
 */
export function createTokenHandler<TUser = unknown, TRequest = unknown>(options: TokenHandlerOptions<TUser, TRequest>): TokenHandler<TUser, TRequest> {
  const resolved = resolveOptions(options);
  const validateParams = createParamsValidator(resolved.validators);
  const audit = createAudit(options);
  const served = watchRebuilds();

  async function handle(request: TokenRequest<TUser, TRequest>): Promise<TokenResponse> {
    served();
    let user: TUser | undefined;
    let identity: string | undefined;
    try {
      checkMethod(request.method, resolved.methods);
      checkHost(request.headers);
      checkOrigin(request.headers, resolved.allowedOrigins);
      // Each step answers at once unless it waits for something: only a promise is awaited.
      const found = findUser(request);
      user = isPromiseLike(found) ? await found : found;
      identity = identityOf(user, resolved.toIdentity);
      const read = readParams(request, resolved.bodyLimit);
      const received = isPromiseLike(read) ? await read : read;
      // The identity is the server's decision; a client-sent one is dropped, never trusted.
      delete received.identity;
      const validated = validateParams(received);
      const params = isPromiseLike(validated) ? await validated : validated;
      const decided = decideGrants(resolved.policy, { user, identity, params, request: request.request });
      const decision = isPromiseLike(decided) ? await decided : decided;
      const rateLimitHeaders =
        resolved.limit && (await resolved.limit(identity, (storeError) => audit.error(storeError, request.request, 'counted-in-memory')));
      const issued = issueToken(resolved, identity, decision);
      const audited = audit.issued(issued, user, request.request);
      if (isPromiseLike(audited)) await audited;
      return respond(200, tokenPayload(issued), rateLimitHeaders);
    } catch (error) {
      return await failure(error, request, user, identity);
    }
  }

  /**
   * A client error (4xx) is answered with its code and audited; a service the route depends on that
   * failed (the rate limit store, the identity provider's keys) is a retryable 503 with its cause in
   * onError; anything else is a generic 500.
   */
  async function failure(error: unknown, request: TokenRequest<TUser, TRequest>, user?: TUser, identity?: string): Promise<TokenResponse> {
    if (error instanceof AccessTokenError && error.status === 503) {
      audit.error(error.cause, request.request, { status: 503, code: error.code });
      return errorResponse(error);
    }
    if (!(error instanceof AccessTokenError) || error.status >= 500) return internalError(error, request);
    try {
      await audit.denied({ identity, code: error.code, status: error.status, reason: error.message, user, request: request.request });
    } catch (hookError) {
      return internalError(hookError, request);
    }
    return errorResponse(error);
  }

  function internalError(error: unknown, request: TokenRequest<TUser, TRequest>): TokenResponse {
    audit.error(error, request.request, { status: 500 });
    return errorResponse(new AccessTokenError('INTERNAL_ERROR', 'The token could not be issued. The server log has the cause.'));
  }

  async function handleMiddlewareError(error: unknown, request: TokenRequest<TUser, TRequest>): Promise<TokenResponse | undefined> {
    const clientError = middlewareClientError(error, request.headers);
    return clientError && (await failure(clientError, request));
  }

  async function handleRouteError(error: unknown, request: TokenRequest<TUser, TRequest>): Promise<TokenResponse> {
    return (await handleMiddlewareError(error, request)) ?? internalError(error, request);
  }

  return { handle, handleMiddlewareError, handleRouteError, methods: resolved.methods };
}

export type { RateLimitWindow, SharedRateLimit, TokenRateLimiter } from './limit.js';
export { isAllowedOrigin } from './origin.js';
export type * from './types.js';
