import { AccessTokenError, type TokenHandlerOptions } from '@grantor/core';

/** Reads the logged-in user; null or undefined when nobody is logged in (the route answers 401). */
export type GetUser<TUser, TArgs extends unknown[]> = (...args: TArgs) => TUser | null | undefined | Promise<TUser | null | undefined>;

export type NextTokenRouteOptions<TUser, TRequest, TGetUserArgs extends unknown[] = [TRequest]> = TokenHandlerOptions<TUser, TRequest> & {
  /**
   * Reads the authenticated user from your session library (next-auth / Auth.js, iron-session, Clerk...).
   * Required: Next.js has no standard place for the user. Return null or undefined when nobody is logged in.
   * @default none (required)
   */
  getUser: GetUser<TUser, TGetUserArgs>;
};

/** Checks at start-up what the types already require, for JavaScript callers. */
export function requireGetUser<TArgs extends unknown[]>(options: { getUser?: unknown }): GetUser<unknown, TArgs> {
  if (typeof options?.getUser !== 'function') {
    throw new AccessTokenError('INVALID_OPTIONS', 'A Next.js token route needs a getUser(request) function that returns the logged-in user.');
  }
  return options.getUser as GetUser<unknown, TArgs>;
}

/**
 * Next.js evaluates route modules during `next build`, where the Twilio secrets are usually absent:
 * the credentials are checked on the first request instead, which answers 500 (with the cause in
 * `onError`) while they are missing.
 */
export const NEXT_HANDLER_SETTINGS = { deferCredentials: true } as const;
