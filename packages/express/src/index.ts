import { createTokenHandler, type TokenHandlerOptions } from '@grantor/core';
import express, { type Request, type Router } from 'express';

declare global {
  namespace Express {
    /** Your app's user, as Passport puts it on `req.user`. Augment it to type the policy's `user`. */
    interface User {}
  }
}

export interface TokenRouteOptions<TUser = Express.User> extends TokenHandlerOptions<TUser, Request> {
  /**
   * Reads the authenticated user from the request; return null or undefined when nobody is logged in.
   * @default (req) => req.user (Passport)
   */
  getUser?: (req: Request) => TUser | null | undefined | Promise<TUser | null | undefined>;
}

/**
 * An Express router that issues Twilio Access Tokens to the logged-in user. Mount it after your
 * authentication: `app.use('/api/token', createTokenRoute({ credentials, policy }))`.
 * It reads the JSON body itself (unless a body parser already ran) and answers every request,
 * success or error, with JSON and `Cache-Control: no-store`.
 */
export function createTokenRoute<TUser = Express.User>(options: TokenRouteOptions<TUser>): Router {
  const handler = createTokenHandler<TUser, Request>(options);
  const getUser = options.getUser ?? ((req: Request) => (req as Request & { user?: TUser }).user);
  const router = express.Router();
  router.all('/', async (req, res, next) => {
    try {
      const response = await handler.handle({
        method: req.method,
        headers: req.headers,
        getUser: () => getUser(req),
        query: req.query,
        body: req.body === undefined ? { stream: req } : { parsed: req.body },
        request: req,
      });
      // Node's writeHead/end rather than Express's set/send: no per-header mime lookups, and no ETag,
      // so a token response is never answered with 304.
      res.writeHead(response.status, response.headers).end(response.body);
    } catch (error) {
      next(error);
    }
  });
  return router;
}

export type { DeniedEvent, IssuedEvent, PolicyContext, PolicyDecision } from '@grantor/core';
