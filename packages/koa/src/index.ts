import { createTokenHandler, type TokenHandlerOptions } from '@grantor/core';
import type { Context, Middleware } from 'koa';

export type TokenRouteOptions<TUser = unknown> = TokenHandlerOptions<TUser, Context> & {
  /**
   * Reads the authenticated user from the context; return null or undefined when nobody is logged in.
   * @default (ctx) => ctx.state.user (koa-passport)
   */
  getUser?: ((ctx: Context) => TUser | null | undefined | Promise<TUser | null | undefined>) | undefined;
};

/**
 * Koa middleware that issues Twilio Access Tokens to the logged-in user. Mount it after your
 * authentication, on one path: `router.all('/api/token', createTokenRoute({ credentials, policy }))`.
 * With `router.all` grantor answers unsupported methods itself (405 + `Allow` + `no-store`); with
 * `router.post` and `router.allowedMethods()` the router answers them instead.
 * It reads the JSON body itself (unless a body parser such as `@koa/bodyparser` already read it: an
 * app-wide parser throws on invalid JSON before this runs, so set `ctx.disableBodyParser` for this
 * path, see the Koa recipe in the docs) and answers every request, success or error, with JSON and `Cache-Control: no-store`.
 * The policy and the hooks get the Koa `ctx` as `request`.
 */
export function createTokenRoute<TUser = unknown>(options: TokenRouteOptions<TUser>): Middleware {
  const handler = createTokenHandler<TUser, Context>(options);
  const getUser = options.getUser ?? ((ctx: Context) => ctx.state.user as TUser | undefined);
  return async (ctx) => {
    // `ctx.request.body` is only declared by body parser packages.
    const parsedBody = (ctx.request as { body?: unknown }).body;
    const response = await handler.handle({
      method: ctx.method,
      headers: ctx.headers,
      getUser: () => getUser(ctx),
      query: ctx.query,
      // A body stream that something already read to its end holds nothing more: use what was parsed.
      body: ctx.req.readableEnded ? { parsed: parsedBody } : { stream: ctx.req },
      request: ctx,
    });
    ctx.status = response.status;
    // Headers before the body: Koa only guesses a content type when none is set.
    ctx.set(response.headers);
    ctx.body = response.body;
  };
}

const CONNECTION_ERROR_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * True for the errors of a client's own connection (a reset, or an HTTP parse error in a body it cut
 * short), which Koa reports through `app.on('error')` after the request although no server code
 * failed. Koa's default listener prints each with its stack; skip them in yours:
 * `app.on('error', (error) => { if (!isClientDisconnect(error)) console.error(error); })`.
 */
export function isClientDisconnect(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('HPE_') || CONNECTION_ERROR_CODES.has(code));
}

export type { DeniedEvent, IssuedEvent, PolicyContext, PolicyDecision } from '@grantor/core';
