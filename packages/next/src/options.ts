import { AccessTokenError, type TokenHandlerOptions } from '@grantor/core';

/** Reads the logged-in user; null or undefined when nobody is logged in (the route answers 401). */
export type GetUser<TUser, TRequest> = (request: TRequest) => TUser | null | undefined | Promise<TUser | null | undefined>;

export interface NextTokenRouteOptions<TUser, TRequest> extends TokenHandlerOptions<TUser, TRequest> {
  /**
   * Reads the authenticated user from your session library (Auth.js, iron-session, Clerk...).
   * Required: Next.js has no standard place for the user. Return null or undefined when nobody is logged in.
   * @default none (required)
   */
  getUser: GetUser<TUser, TRequest>;
}

/** Checks at start-up what the types already require, for JavaScript callers. */
export function requireGetUser<TUser, TRequest>(options: NextTokenRouteOptions<TUser, TRequest>): GetUser<TUser, TRequest> {
  if (typeof options?.getUser !== 'function') {
    throw new AccessTokenError('INVALID_OPTIONS', 'A Next.js token route needs a getUser(request) function that returns the logged-in user.');
  }
  return options.getUser;
}
