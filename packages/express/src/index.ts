import { createTokenHandler, type GetUser, type TokenHandlerOptions, type TokenRequest, type TokenResponse } from '@grantor/core';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';

declare global {
  namespace Express {
    /** Your app's user, as Passport puts it on `req.user`. Augment it to type the policy's `user`. */
    interface User {}
  }
}

export type TokenRouteOptions<TUser = Express.User> = TokenHandlerOptions<TUser, Request> & {
  /**
   * Reads the authenticated user from the request (better-auth's or Auth.js's session, say); return null
   * or undefined when nobody is logged in. The user type is what it returns: give it before `policy`,
   * whose `user` TypeScript then types from it.
   * @default (req) => req.user (Passport)
   */
  getUser?: GetUser<TUser, [req: Request]> | undefined;
};

/** What `createTokenRoute()` returns: the route, and the error handler that answers for middleware before it. */
export type TokenRoute = [Router, ErrorRequestHandler];

// Node's writeHead/end rather than Express's set/send: no per-header mime lookups, and no ETag,
// so a token response is never answered with 304.
const send = (res: Response, response: TokenResponse) => res.writeHead(response.status, response.headers).end(response.body);

/**
 * Issues Twilio Access Tokens to the logged-in user. Mount it after your authentication, wherever your
 * body parser is: `app.use('/api/token', createTokenRoute({ credentials, policy }))`.
 * It reads the JSON body itself unless a parser already read it, and answers every request with JSON
 * and `Cache-Control: no-store`, including the client errors that middleware before it raised for its
 * path (an app-wide `express.json()`'s invalid JSON, a CSRF middleware's refusal): that is the second
 * element, an error handler, which Express runs for this path because `app.use` flattens the array.
 * With `getUser`, the user type is what it returns (no Passport augmentation needed).
 */
export function createTokenRoute<TUser>(options: TokenRouteOptions<TUser> & { getUser: GetUser<TUser, [req: Request]> }): TokenRoute;
/** Without `getUser`, Passport's `req.user`, typed by augmenting `Express.User` (or by the type argument). */
export function createTokenRoute<TUser = Express.User>(options: TokenRouteOptions<TUser>): TokenRoute;
export function createTokenRoute<TUser>(options: TokenRouteOptions<TUser>): TokenRoute {
  const handler = createTokenHandler<TUser, Request>(options);
  const getUser = options.getUser ?? ((req: Request) => (req as Request & { user?: TUser }).user);
  const tokenRequestOf = (req: Request): TokenRequest<TUser, Request> => ({
    method: req.method,
    headers: req.headers,
    getUser: () => getUser(req),
    query: req.query,
    // A body stream that something already read to its end holds nothing more: use what was parsed.
    body: req.readableEnded ? { parsed: req.body } : { stream: req },
    request: req,
  });

  const route: RequestHandler = async (req, res, next) => {
    try {
      send(res, await handler.handle(tokenRequestOf(req)));
    } catch (error) {
      next(error);
    }
  };
  const middlewareErrors: ErrorRequestHandler = async (error, req, res, next) => {
    // Only for the route's own path, as `router.all('/')` matches it; sub-paths stay the app's.
    if (req.path !== '/') return next(error);
    try {
      const response = await handler.handleMiddlewareError(error, tokenRequestOf(req));
      if (response) send(res, response);
      else next(error);
    } catch (handlerError) {
      next(handlerError);
    }
  };
  const router = express.Router();
  router.all('/', route);
  return [router, middlewareErrors];
}

export type { DeniedEvent, IssuedEvent, PolicyContext, PolicyDecision } from '@grantor/core';
