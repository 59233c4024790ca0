import { AccessTokenError } from '../errors.js';
import { normalizeIdentity } from '../validate.js';
import { type MaybePromise, settle } from './settle.js';
import type { IdentityOf, TokenRequest } from './types.js';

function loggedIn<TUser>(found: TUser | null | undefined): TUser {
  if (found === undefined || found === null || (found as unknown) === false) throw new AccessTokenError('UNAUTHENTICATED', 'Log in to get a token.');
  return found;
}

/** The logged-in user, from `getUser` or the adapter; 401 when there is none. */
export function findUser<TUser>(request: TokenRequest<TUser, unknown>): MaybePromise<TUser> {
  return settle(request.getUser ? request.getUser() : request.user, loggedIn);
}

/** The default `identity` option: the user's `id`, which must be a string or an integer. */
export function identityFromId(user: unknown): string | number {
  const id = (user as { id?: unknown }).id;
  if (typeof id === 'string' || Number.isInteger(id)) return id as string | number;
  // Key names only, never values: they say what the user object is without logging personal data.
  const keys = typeof user === 'object' ? Object.keys(user as object).slice(0, 10) : [];
  const shape = keys.length > 0 ? `it has ${keys.join(', ')}` : `it is ${typeof user === 'object' ? 'an empty object' : typeof user}`;
  throw new AccessTokenError(
    'INVALID_OPTIONS',
    `The logged-in user has no string or integer \`id\` for the token's identity (${shape}). Return a user with an \`id\` from getUser, or pass an identity(user) option. With Auth.js (next-auth, @auth/express), the session user has no id until your session callback adds one (session.user.id = token.sub).`,
  );
}

/** The Twilio identity for the user: always the server's decision. */
export function identityOf<TUser>(user: TUser, toIdentity: IdentityOf<TUser>): string {
  return normalizeIdentity(toIdentity(user));
}
