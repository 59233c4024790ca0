import { AccessTokenError } from '../errors.js';
import { createSigner, type Signer } from '../token.js';
import { checkMaxTtl, checkTtl, DEFAULT_TTL, MAX_TTL } from '../validate.js';
import { createRateLimit } from './limit.js';
import { checkMethodsOption } from './method.js';
import { checkAllowedOriginsOption } from './origin.js';
import type { IdentityOf, ResolvedOptions, TokenHandlerOptions } from './types.js';
import { identityFromId } from './user.js';

export interface CreateTokenHandlerSettings {
  /**
   * Check the credentials on the first request instead of now. For frameworks that evaluate route
   * modules at build time (Next.js), where a build without secrets must succeed; a request without
   * valid credentials then answers 500 and `onError` gets the error naming what is missing.
   * @default false (configuration errors throw at start-up)
   */
  deferCredentials?: boolean;
}

/** Checks every option once, at start-up; a wrong one throws an `AccessTokenError` naming the fix. */
export function resolveOptions<TUser, TRequest>(
  options: TokenHandlerOptions<TUser, TRequest>,
  { deferCredentials = false }: CreateTokenHandlerSettings = {},
): ResolvedOptions<TUser, TRequest> {
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
  if (!deferCredentials) getSigner();

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
