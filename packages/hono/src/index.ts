import { createTokenHandler, type GetUser, type TokenHandlerOptions } from '@grantor/core';
import { handleFetchRequest } from '@grantor/core/internal';
import type { Context, Handler } from 'hono';

export type TokenRouteOptions<TUser = unknown> = TokenHandlerOptions<TUser, Context> & {
  /**
   * Reads the authenticated user from the context; return null or undefined when nobody is logged in.
   * @default (c) => c.get('user'), set by your auth middleware with c.set('user', user)
   */
  getUser?: GetUser<TUser, [c: Context]> | undefined;
};

/**
 * A Hono handler that issues Twilio Access Tokens to the logged-in user, on Cloudflare Workers,
 * Deno, Bun, Vercel Edge and Node: `app.all('/api/token', createTokenRoute({ credentials, policy }))`.
 * With `app.all` grantor answers unsupported methods itself (405 + `Allow` + `no-store`). It reads
 * the JSON body itself and answers every request, success or error, with JSON and
 * `Cache-Control: no-store`. The policy and the hooks get the Hono `Context` as `request`.
 */
export function createTokenRoute<TUser = unknown>(options: TokenRouteOptions<TUser>): Handler {
  const handler = createTokenHandler<TUser, Context>(options);
  const getUser = options.getUser ?? ((c: Context) => c.get('user') as TUser | undefined);
  // A validator middleware that parsed the body consumed the stream; Hono keeps its text.
  return (c) =>
    handleFetchRequest(
      handler,
      c.req.raw,
      () => getUser(c),
      c,
      () => c.req.text(),
    );
}

export type { DeniedEvent, IssuedEvent, PolicyContext, PolicyDecision } from '@grantor/core';
