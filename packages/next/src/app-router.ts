import { createTokenHandler } from '@grantor/core';
import { type NextTokenRouteOptions, requireGetUser } from './options.js';

/** An App Router route handler, as exported from `app/api/token/route.ts`. */
export type AppRouteHandler = (request: Request) => Promise<Response>;

/** The handlers to export, one per enabled method: `{ POST }` by default, `{ GET, POST }` with GET. */
export type AppRouteHandlers<TMethod extends 'POST' | 'GET' = 'POST'> = { [M in TMethod]: AppRouteHandler };

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
 * export const runtime = 'nodejs';
 * export const { POST } = createTokenRoute<User>({ credentials, policy, getUser: () => currentUser() });
 * ```
 *
 * Every answer is JSON with `Cache-Control: no-store`. The policy and the hooks get the Web `Request`.
 *
 * Runs on the Node.js runtime only: keep `export const runtime = 'nodejs'` (the default). grantor
 * signs with `node:crypto`, which the Edge runtime lacks: with `runtime = 'edge'`, Next 16 warns
 * "A Node.js module is loaded ('node:crypto') which is not supported in the Edge Runtime", then
 * `next build` fails ("Failed to collect configuration for /api/token ... Native module not found:
 * node:crypto") and `next dev` answers the route with a 500 page.
 *
 * Next.js answers methods a route does not export itself, before this code runs: `405` with an
 * empty body and no `Allow` header (and `OPTIONS` with `204` + `Allow`). Add `'GET'` to `methods`
 * and export `GET` too if clients must read the token with GET.
 */
export function createTokenRoute<TUser>(options: AppRouteOptions<TUser> & { methods?: readonly ['POST'] }): AppRouteHandlers<'POST'>;
/** With `methods: ['POST', 'GET']`: export `{ GET, POST }`. See the first signature. */
export function createTokenRoute<TUser>(options: AppRouteOptions<TUser> & { methods: readonly ['GET', 'POST'] | readonly ['POST', 'GET'] }): AppRouteHandlers<'GET' | 'POST'>;
/** With `methods: ['GET']`: export `{ GET }`. See the first signature. */
export function createTokenRoute<TUser>(options: AppRouteOptions<TUser> & { methods: readonly ['GET'] }): AppRouteHandlers<'GET'>;
/** With `methods` not known until run time: a handler for each method listed. See the first signature. */
export function createTokenRoute<TUser>(options: AppRouteOptions<TUser>): Partial<AppRouteHandlers<'GET' | 'POST'>>;
export function createTokenRoute<TUser>(options: AppRouteOptions<TUser>): Partial<AppRouteHandlers<'GET' | 'POST'>> {
  const getUser = requireGetUser(options);
  const handler = createTokenHandler<TUser, Request>(options);
  const handle: AppRouteHandler = async (request) => {
    const response = await handler.handle({
      method: request.method,
      headers: Object.fromEntries(request.headers),
      getUser: () => getUser(request),
      query: queryOf(new URL(request.url)),
      // A Web ReadableStream is async iterable in Node.js (the DOM typings lack it).
      body: request.body ? { stream: request.body as unknown as AsyncIterable<Uint8Array> } : undefined,
      request,
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
  return Object.fromEntries(handler.methods.map((method) => [method, handle]));
}
