import { createTokenHandler } from '@grantor/core';
import { NEXT_HANDLER_SETTINGS, type NextTokenRouteOptions, requireGetUser } from './options.js';

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

/** The query string as Node frameworks give it: a repeated name becomes an array. */
function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const previous = query[name];
    query[name] = previous === undefined ? value : [previous, value].flat();
  }
  return query;
}

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
 * needs no secrets. Node.js runtime only (the default): grantor signs with `node:crypto`.
 */
export function createTokenRoute<TUser>(options: AppRouteOptions<TUser>): AppRouteHandlers {
  const getUser = requireGetUser<[Request]>(options);
  const handler = createTokenHandler<TUser, Request>(options, NEXT_HANDLER_SETTINGS);
  const handle: AppRouteHandler = async (request) => {
    const response = await handler.handle({
      method: request.method,
      headers: Object.fromEntries(request.headers),
      getUser: () => getUser(request) as TUser | undefined,
      query: queryOf(new URL(request.url)),
      // A Web ReadableStream is async iterable in Node.js (the DOM typings lack it).
      body: request.body ? { stream: request.body as unknown as AsyncIterable<Uint8Array> } : undefined,
      request,
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
  return Object.fromEntries(APP_ROUTE_METHODS.map((method) => [method, handle])) as AppRouteHandlers;
}
