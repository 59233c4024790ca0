import { createTokenHandler } from '@grantor/core';
import { handleFetchRequest } from '@grantor/core/internal';
import { type NextTokenRouteOptions, requireNextGetUser } from './options.js';

/** An App Router route handler, as exported from `app/api/token/route.ts`. */
export type AppRouteHandler = (request: Request) => Promise<Response>;

/** The methods an App Router route file may export. */
export const APP_ROUTE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * A handler for every method Next.js routes: the enabled ones (`methods`) issue tokens, the others
 * answer grantor's JSON 405 with `Allow`, as every other adapter does.
 */
export type AppRouteHandlers = Record<(typeof APP_ROUTE_METHODS)[number], AppRouteHandler>;

export type AppRouteOptions<TUser> = NextTokenRouteOptions<TUser, Request>;

/**
 * App Router handlers that issue Twilio Access Tokens to the logged-in user, for
 * `app/api/token/route.ts`:
 *
 * ```ts
 * export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = createTokenRoute({ credentials, policy, getUser });
 * ```
 *
 * Export every method for grantor's JSON 405 on the ones not in `methods`; a method the file does not
 * export gets Next's own empty 405. Every answer is JSON with `Cache-Control: no-store`. The policy
 * and the hooks get the Web `Request`. Credentials are checked on the first request, so `next build`
 * needs no secrets. Runs on the Node.js runtime (the default) and with `export const runtime = 'edge'`.
 */
export function createTokenRoute<TUser>(options: AppRouteOptions<TUser>): AppRouteHandlers {
  const getUser = requireNextGetUser<[Request]>(options);
  const handler = createTokenHandler<TUser, Request>(options);
  const handle: AppRouteHandler = (request) => handleFetchRequest(handler, request, () => getUser(request) as TUser | undefined, request);
  return Object.fromEntries(APP_ROUTE_METHODS.map((method) => [method, handle])) as AppRouteHandlers;
}
