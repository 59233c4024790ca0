import type { GetUser, TokenHandlerOptions } from '@grantor/core';
import { requireGetUser } from '@grantor/core/internal';

export type NextTokenRouteOptions<TUser, TRequest, TGetUserArgs extends unknown[] = [TRequest]> = TokenHandlerOptions<TUser, TRequest> & {
  /**
   * Reads the authenticated user from your session library (next-auth / Auth.js, iron-session, Clerk...).
   * Required: Next.js has no standard place for the user. Return null or undefined when nobody is logged in.
   * @default none (required)
   */
  getUser: GetUser<TUser, TGetUserArgs>;
};

/** Checks at start-up what the types already require, for JavaScript callers. */
export const requireNextGetUser = <TArgs extends unknown[]>(options: { getUser?: unknown }) => requireGetUser<TArgs>(options, 'A Next.js token route');
