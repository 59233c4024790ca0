import { AccessTokenError } from '../errors.js';
import { createSigner, type Signer } from '../token.js';
import { checkMaxTtl, checkTtl, DEFAULT_TTL, MAX_TTL } from '../validate.js';
import { createRateLimit } from './limit.js';
import { checkMethodsOption } from './method.js';
import { checkAllowedOriginsOption } from './origin.js';
import type { IdentityOf, ResolvedOptions, TokenHandlerOptions } from './types.js';
import { identityFromId } from './user.js';

/**
 * Checks every option once, at start-up; a wrong one throws an `AccessTokenError` naming the fix.
 * Except the credentials' values: they come from the environment, which a build that imports the
 * route module (SvelteKit, Next.js, React Router, a Docker image) does not have. They are checked on
 * the first request; while they are missing or malformed every request answers 500 and `onError`
 * gets the error naming the value. An app that wants to fail at start-up passes
 * `signer: createSigner(credentials)` instead, which checks them at once.
 */
export function resolveOptions<TUser, TRequest>(options: TokenHandlerOptions<TUser, TRequest>): ResolvedOptions<TUser, TRequest> {
  if (typeof options?.policy !== 'function') {
    throw new AccessTokenError('INVALID_OPTIONS', 'A token route needs a policy({ user, params }) function that returns the grants to issue.');
  }
  if (!options.signer === !options.credentials) {
    throw new AccessTokenError('INVALID_OPTIONS', 'A token route needs either credentials ({ accountSid, keys }) or a signer, not both.');
  }
  const maxTtl = Math.min(options.maxTtl === undefined ? MAX_TTL : checkMaxTtl(options.maxTtl), options.signer?.maxTtl ?? MAX_TTL);
  const defaultTtl = checkTtl(options.ttl ?? Math.min(options.signer?.defaultTtl ?? DEFAULT_TTL, maxTtl), maxTtl);
  const bodyLimit = options.bodyLimit ?? 8192;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1) throw new AccessTokenError('INVALID_OPTIONS', 'bodyLimit must be a positive whole number of bytes.');
  const identity = (options as { identity?: IdentityOf<TUser> }).identity;
  if (identity !== undefined && typeof identity !== 'function') {
    throw new AccessTokenError('INVALID_OPTIONS', 'identity must be a function (user) => string, e.g. (user) => user.id.');
  }

  let signer: Signer | undefined = options.signer;
  const credentials = options.credentials;
  // A signer that failed is retried on the next request: its error reaches onError every time.
  const getSigner = () => (signer ??= createSigner({ ...credentials!, maxTtl, defaultTtl }));

  return {
    policy: options.policy,
    toIdentity: identity ?? identityFromId,
    signer: getSigner,
    defaultTtl,
    maxTtl,
    methods: checkMethodsOption(options.methods ?? ['POST']),
    allowedOrigins: checkAllowedOriginsOption(options.allowedOrigins),
    bodyLimit,
    validators: options.validators ?? [],
    limit: createRateLimit(options.rateLimit),
  };
}
