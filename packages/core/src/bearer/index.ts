import { AccessTokenError } from '../errors.js';
import type { JwsSignatureAlgorithm } from '../runtime.js';
import { invalidBearerToken } from './errors.js';
import { type BearerClaims, verifyJwt } from './jwt.js';
import { isAllowedProviderUrl, issuerKeys, type KeyResolver } from './keys.js';

export type { BearerClaims } from './jwt.js';

/** The asymmetric JWS algorithms `bearerUser` can accept: never `none`, never an HMAC (RFC 8725 §3.1-3.2). */
export const BEARER_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const satisfies readonly JwsSignatureAlgorithm[];
export type BearerAlgorithm = (typeof BEARER_ALGORITHMS)[number];

/** The user `bearerUser` returns: the token's subject as `id` (so the default identity), and every verified claim. */
export interface BearerUser {
  id: string;
  claims: BearerClaims;
}

/** The largest `clockTolerance`: a skew beyond five minutes is a broken clock, not a tolerance. */
const MAX_CLOCK_TOLERANCE = 300;

export interface BearerUserOptions {
  /** The identity provider's issuer, exactly as its tokens' `iss` say it (Auth0's ends with `/`). */
  issuer: string;
  /**
   * The value(s) the token's audience claim must hold: your API's identifier (Auth0), the app
   * client id (Cognito, Entra ID), the project id (Firebase).
   */
  audience: string | readonly string[];
  /**
   * The claim that holds the audience: `aud` (RFC 7519), or the provider's equivalent where its access
   * tokens have none, such as Cognito's `client_id` or Clerk's `azp`.
   * @default 'aud'
   */
  audienceClaim?: string | undefined;
  /**
   * The provider's JSON Web Key Set. Give it where the provider has no OpenID configuration.
   * @default the `jwks_uri` of `<issuer>/.well-known/openid-configuration`
   */
  jwksUri?: string | undefined;
  /**
   * Accepted signature algorithms, asymmetric only: `none` and HMAC (`HS256`...) are refused here,
   * since a provider's HMAC key would be a secret shared with every app it serves.
   * @default ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519']
   */
  algorithms?: readonly BearerAlgorithm[] | undefined;
  /**
   * Seconds of clock skew allowed on `exp` and `nbf`, at most 300.
   * @default 5
   */
  clockTolerance?: number | undefined;
  /**
   * Milliseconds a discovery or JWKS fetch may take; beyond it the request gets 503.
   * @default 3000
   */
  fetchTimeout?: number | undefined;
  /**
   * Seconds after a JWKS fetch before a token with an unknown `kid` may cause another (key rotation).
   * @default 30
   */
  cooldown?: number | undefined;
  /**
   * Seconds a fetched JWKS is used before it is fetched again.
   * @default 600
   */
  maxAge?: number | undefined;
  /**
   * Seconds to answer 503 (with this `Retry-After`) after a discovery or JWKS fetch failed, before trying again.
   * @default 5
   */
  retryAfter?: number | undefined;
}

const DEFAULT_ALGORITHMS: readonly BearerAlgorithm[] = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'];

/** Anything an adapter hands `getUser` first: a Web `Request`, Node's/Express's `req`, Koa's `ctx`, Hono's `Context`, a Lambda event. */
type RequestLike = unknown;

/** The Authorization header of any request shape grantor's adapters pass, or undefined. */
function authorizationOf(request: RequestLike): string | undefined {
  const source = request as { headers?: unknown; req?: { raw?: { headers?: unknown } }; request?: { headers?: unknown } } | null | undefined;
  const headers = (source?.headers ?? source?.req?.raw?.headers ?? source?.request?.headers) as
    | { get?: (name: string) => string | null }
    | Record<string, string | string[] | undefined>
    | undefined;
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return headers.get('authorization') ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record.authorization ?? record.Authorization;
  return Array.isArray(value) ? value[0] : value;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** What a failure to find the token's key means for the client, in words that name no key and no token. */
function explain(error: unknown): AccessTokenError {
  if (error instanceof AccessTokenError) return error;
  switch ((error as { code?: string }).code) {
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return invalidBearerToken("The bearer token is not signed by a key of the identity provider's key set.", error);
    default:
      // A key of the set that does not import for the token's algorithm, or anything unexpected: never let it through.
      return invalidBearerToken('The bearer token is malformed.', error);
  }
}

function checkOptions(options: BearerUserOptions): void {
  const fail = (message: string) => {
    throw new AccessTokenError('INVALID_OPTIONS', `bearerUser: ${message}`);
  };
  const { issuer, audience, jwksUri, algorithms, clockTolerance } = options ?? ({} as BearerUserOptions);
  if (typeof issuer !== 'string' || !isAllowedProviderUrl(issuer)) {
    fail(`issuer must be the provider's https URL, exactly as its tokens' "iss" claim says it (got ${JSON.stringify(issuer)}).`);
  }
  const audiences = typeof audience === 'string' ? [audience] : audience;
  if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((value) => typeof value === 'string' && value !== '')) {
    fail(`audience must be a non-empty string or list of strings: your API's identifier or client id at the provider (got ${JSON.stringify(audience)}).`);
  }
  if (jwksUri !== undefined && (typeof jwksUri !== 'string' || !isAllowedProviderUrl(jwksUri)))
    fail(`jwksUri must be an https URL (got ${JSON.stringify(jwksUri)}).`);
  if (algorithms !== undefined) {
    const refused = Array.isArray(algorithms) ? algorithms.filter((alg) => !(BEARER_ALGORITHMS as readonly string[]).includes(alg)) : [algorithms];
    if (refused.length > 0 || algorithms.length === 0) {
      fail(
        `algorithms must be a non-empty list of ${BEARER_ALGORITHMS.join(', ')}; ${JSON.stringify(refused)} refused: "none" and HMAC are never accepted for a provider's tokens (RFC 8725).`,
      );
    }
  }
  if (clockTolerance !== undefined && !(Number.isInteger(clockTolerance) && clockTolerance >= 0 && clockTolerance <= MAX_CLOCK_TOLERANCE)) {
    fail(`clockTolerance must be a whole number of seconds from 0 to ${MAX_CLOCK_TOLERANCE} (got ${JSON.stringify(clockTolerance)}).`);
  }
  for (const name of ['fetchTimeout', 'cooldown', 'maxAge', 'retryAfter'] as const) {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0))
      fail(`${name} must be a positive number (got ${JSON.stringify(value)}).`);
  }
}

/**
 * A `getUser` for clients that send `Authorization: Bearer <JWT>` from your identity provider (native
 * and mobile apps, other servers): verifies the token against the provider's published keys and returns
 * the user `{ id: sub, claims }`. Works in every adapter and runtime:
 *
 * ```ts
 * createTokenRoute({ credentials, policy, getUser: bearerUser({ issuer: 'https://example.eu.auth0.com/', audience: 'https://api.example.com' }) });
 * ```
 *
 * For your own user record: `const fromBearer = bearerUser({ ... })`, then
 * `getUser: async (req) => users.findBySubject((await fromBearer(req)).id)`.
 * RFC 8725 by default: asymmetric algorithms only, `iss`, the audience and `exp` required, `nbf`
 * honoured. No or another kind of Authorization: 401 `UNAUTHENTICATED` with `WWW-Authenticate: Bearer`;
 * an invalid, expired or foreign token: 401 `INVALID_BEARER_TOKEN` with `WWW-Authenticate: Bearer
 * error="invalid_token"`; the provider's keys unreachable: 503 `IDENTITY_PROVIDER_UNAVAILABLE` with
 * `Retry-After`, the cause in `onError`.
 */
export function bearerUser(options: BearerUserOptions): (request: RequestLike) => Promise<BearerUser> {
  checkOptions(options);
  const { issuer, audienceClaim = 'aud', clockTolerance = 5 } = options;
  const audiences: readonly string[] = typeof options.audience === 'string' ? [options.audience] : [...options.audience];
  const checks = { algorithms: new Set<string>(options.algorithms ?? DEFAULT_ALGORITHMS), issuer, audiences, audienceClaim, clockTolerance };
  let keys: KeyResolver | undefined;
  const keysOf = () =>
    (keys ??= issuerKeys({
      issuer,
      jwksUri: options.jwksUri,
      fetchTimeout: options.fetchTimeout ?? 3000,
      cooldown: (options.cooldown ?? 30) * 1000,
      maxAge: (options.maxAge ?? 600) * 1000,
      retryAfter: options.retryAfter ?? 5,
      localKeySet: async () => (await import('./jose.js')).createLocalJWKSet as unknown as (jwks: unknown) => KeyResolver,
    }));

  return async (request) => {
    const authorization = authorizationOf(request);
    if (!authorization || !/^Bearer(\s|$)/i.test(authorization)) {
      throw new AccessTokenError('UNAUTHENTICATED', 'Send your identity provider\'s token in an "Authorization: Bearer" header.', {
        // RFC 6750 §3.1: a request without credentials gets the scheme, no error code.
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    const token = BEARER.exec(authorization)?.[1];
    if (!token) throw invalidBearerToken('The Authorization header is not "Bearer" and a token.');
    let claims: BearerClaims;
    try {
      claims = await verifyJwt(token, keysOf(), checks);
    } catch (error) {
      throw explain(error);
    }
    if (typeof claims.sub !== 'string' || claims.sub === '') throw invalidBearerToken('The bearer token has no "sub" claim to identify the user.');
    return { id: claims.sub, claims };
  };
}
