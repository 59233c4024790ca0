import { createTokenHandler, type TokenRequest } from '@grantor/core';
import { queryOf, textBody } from '@grantor/core/internal';
// Next's own declarations (its `next` entry re-exports them). Not `from 'next'`: that entry also makes
// `process.env.NODE_ENV` a required key in every program that includes it; `next/types` lacks a `.js`
// file before Next 15, so ESM `nodenext` projects could not resolve it.
import type { NextApiRequest, NextApiResponse } from 'next/dist/shared/lib/utils.js';
import { type NextTokenRouteOptions, requireNextGetUser } from './options.js';

/** A Pages Router API route, as default-exported from `pages/api/token.ts`. */
export type ApiRouteHandler = (req: NextApiRequest, res: NextApiResponse) => Promise<void>;

/** `getUser(req, res)`: session libraries such as next-auth's `getServerSession(req, res, authOptions)` need both. */
export type ApiRouteOptions<TUser> = NextTokenRouteOptions<TUser, NextApiRequest, [req: NextApiRequest, res: NextApiResponse]>;

/**
 * The body as grantor reads it. Next's body parser turns only `application/json` and
 * `application/ld+json` into values and leaves any other body as raw text; with
 * `bodyParser: false` the body is still unread.
 */
function bodyOf(req: NextApiRequest): TokenRequest['body'] {
  if (req.body === undefined) return { stream: req };
  const parsedAsJson = /^application\/(ld\+)?json\s*(;|$)/i.test(req.headers['content-type'] ?? '');
  if (typeof req.body === 'string' && !parsedAsJson) return textBody(req.body);
  return { parsed: req.body };
}

/**
 * A Pages Router API route that issues Twilio Access Tokens to the logged-in user:
 *
 * ```ts
 * // pages/api/token.ts
 * export default createTokenApiRoute({
 *   credentials,
 *   policy,
 *   getUser: async (req, res) => (await getServerSession(req, res, authOptions))?.user,
 * });
 * // Let grantor read the body: the same 8 KB limit and JSON errors as every other grantor route.
 * export const config = { api: { bodyParser: false } };
 * ```
 *
 * With Next's default body parser the route works too, but Next answers two cases before grantor
 * runs: invalid JSON (400, plain text) and bodies over its own `sizeLimit` (413, default 1 MB; a
 * streamed body under it is not held to `bodyLimit`). Every grantor answer is JSON with
 * `Cache-Control: no-store`. The policy and the hooks get the `NextApiRequest`.
 *
 * Credentials are checked on the first request, so `next build` needs no secrets. Pages Router API
 * routes run on the Node.js runtime.
 */
export function createTokenApiRoute<TUser>(options: ApiRouteOptions<TUser>): ApiRouteHandler {
  const getUser = requireNextGetUser<[NextApiRequest, NextApiResponse]>(options);
  const handler = createTokenHandler<TUser, NextApiRequest>(options);
  return async (req, res) => {
    const response = await handler.handle({
      method: req.method ?? '',
      headers: req.headers,
      getUser: () => getUser(req, res) as TUser | undefined,
      // Read from the URL: Next's req.query drops a `__proto__` name that every other adapter refuses.
      query: queryOf(new URL(req.url ?? '/', 'http://localhost')),
      body: bodyOf(req),
      request: req,
    });
    // writeHead/end rather than res.send(): Next's send() adds an ETag and may answer 304.
    res.writeHead(response.status, response.headers).end(response.body);
  };
}
