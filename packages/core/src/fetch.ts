import { AccessTokenError } from './errors.js';
import { createTokenHandler } from './handler/index.js';
import type { TokenHandler, TokenHandlerOptions } from './handler/types.js';

/** Reads the logged-in user; null or undefined when nobody is logged in (the route answers 401). */
export type GetUser<TUser, TArgs extends unknown[]> = (...args: TArgs) => TUser | null | undefined | Promise<TUser | null | undefined>;

export type FetchTokenRouteOptions<TUser, TContext = unknown> = TokenHandlerOptions<TUser, Request> & {
  /**
   * Reads the authenticated user for this request, from your session library or a verified cookie, or
   * from the framework's context, which the route passes on as the second argument:
   * `route(event.request, event)` gives `getUser(request, event)` (SvelteKit's `event.locals`, Astro's
   * `locals`, React Router's `context`, h3's `event.context`). Type the parameter to type the route's
   * second argument. Required: a fetch handler has no standard place for the user. Return null or
   * undefined when nobody is logged in.
   * @default none (required)
   */
  getUser: GetUser<TUser, [request: Request, context: TContext]>;
};

/**
 * The fetch route: `route(request)`, or `route(request, context)` to hand `getUser` the framework's
 * context. The context is required when `getUser`'s parameter has a type that does not allow undefined.
 */
export type FetchTokenRoute<TContext = unknown> = (
  request: Request,
  ...context: unknown extends TContext ? [context?: unknown] : undefined extends TContext ? [context?: TContext] : [context: TContext]
) => Promise<Response>;

/** Checks at start-up what the types already require, for JavaScript callers. */
export function requireGetUser<TArgs extends unknown[]>(options: { getUser?: unknown }, route: string): GetUser<unknown, TArgs> {
  if (typeof options?.getUser !== 'function') {
    throw new AccessTokenError('INVALID_OPTIONS', `${route} needs a getUser(request) function that returns the logged-in user.`);
  }
  return options.getUser as GetUser<unknown, TArgs>;
}

/**
 * A URL's query string as grantor's adapters read it (a repeated name becomes an array), for an
 * adapter whose framework's parsed query drops names. Without a prototype, `__proto__` is a key like
 * any other, so it meets the reserved-name rule (400) as in every adapter.
 */
export function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    const previous = query[name];
    query[name] = previous === undefined ? value : [previous, value].flat();
  }
  return query;
}

/** A Web stream as an async iterable: not every runtime's ReadableStream is one. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) yield chunk.value;
  } finally {
    reader.releaseLock();
  }
}

/** A body that something before grantor already read as text, as the stream grantor reads. */
export function textBody(text: string): { stream: AsyncIterable<Uint8Array> } {
  async function* chunks() {
    yield new TextEncoder().encode(text);
  }
  return { stream: chunks() };
}

/**
 * Answers a Web `Request` with a Web `Response`: the translation every fetch-based adapter shares
 * (Next.js App Router, Hono, plain Workers). `context` is what the policy and the hooks get as `request`;
 * `readBody` gives the body's text when middleware already consumed the request's stream.
 */
export async function handleFetchRequest<TUser, TRequest>(
  handler: TokenHandler<TUser, TRequest>,
  request: Request,
  getUser: () => TUser | null | undefined | Promise<TUser | null | undefined>,
  context: TRequest,
  readBody?: () => Promise<string>,
): Promise<Response> {
  const url = new URL(request.url);
  const response = await handler.handle({
    method: request.method,
    // Where a runtime keeps Host out of the headers, the URL still names the request's own origin.
    headers: { host: url.host, ...Object.fromEntries(request.headers) },
    getUser,
    query: queryOf(url),
    body: request.bodyUsed && readBody ? textBody(await readBody()) : request.body ? { stream: chunksOf(request.body) } : undefined,
    request: context,
  });
  return new Response(response.body, { status: response.status, headers: response.headers });
}

/**
 * A token route for any fetch runtime (Cloudflare Workers, Deno, Bun, Vercel Edge, Node) and every
 * framework whose server routes take a Web `Request` (SvelteKit, React Router, Astro, Nuxt/h3):
 * `(request, context?) => Promise<Response>`, with the same answers as every other grantor adapter.
 *
 * ```ts
 * // Once, at module level: the route holds the rateLimit count and the prepared signing key.
 * const tokenRoute = createFetchHandler({ credentials, policy, getUser: (request, event: RequestEvent) => event.locals.user });
 * export const POST: RequestHandler = (event) => tokenRoute(event.request, event);
 * ```
 * The second argument reaches `getUser` unchanged; the policy and the hooks get the `Request`. Created
 * anew for each request, the route warns once in the server log. It answers every request it gets,
 * whatever the path and method: route to it only the token path, with every method (SvelteKit's
 * `fallback`, React Router's `loader` beside its `action`) so that other methods get its JSON 405.
 */
export function createFetchHandler<TUser, TContext = unknown>(options: FetchTokenRouteOptions<TUser, TContext>): FetchTokenRoute<TContext> {
  const getUser = requireGetUser<[Request, TContext]>(options, 'A fetch token route');
  const handler = createTokenHandler<TUser, Request>(options);
  return (request, ...[context]) => handleFetchRequest(handler, request, () => getUser(request, context as TContext) as TUser | undefined, request);
}
