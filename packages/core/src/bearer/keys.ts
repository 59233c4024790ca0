import { AccessTokenError } from '../errors.js';

/** A JSON Web Key Set as an identity provider publishes it. */
interface JwkSet {
  keys: Record<string, unknown>[];
}

/** Picks the key for a token's protected header (jose's `createLocalJWKSet`). */
export type KeyResolver = (header: { alg?: string; kid?: string }, token: { payload: string; signature: string }) => Promise<unknown>;

export interface KeySetSettings {
  issuer: string;
  /** The JWKS address; undefined to discover it from the issuer's OpenID configuration. */
  jwksUri: string | undefined;
  /** Milliseconds a discovery or JWKS fetch may take. */
  fetchTimeout: number;
  /** Milliseconds after a fetch before a token with an unknown `kid` may cause another. */
  cooldown: number;
  /** Milliseconds a fetched JWKS is used before it is fetched again. */
  maxAge: number;
  /** Seconds after a failed fetch during which requests get 503 without a new fetch. */
  retryAfter: number;
  /** Loads jose's key selection; lazy, so core's import stays small. */
  localKeySet: () => Promise<(jwks: JwkSet) => KeyResolver>;
}

/** http: only on loopback (tests, a local provider); everywhere else https:. */
export function isAllowedProviderUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}

/** A fetch that fails (never hangs) beyond the timeout and refuses redirects, as jose's own JWKS fetch does. */
async function fetchJson(url: string, timeout: number, what: string): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(timeout) });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${what} at ${url} answered HTTP ${response.status}, not 200.`);
  }
  return response.json();
}

/**
 * The signing keys of one issuer: discovered once, fetched with a timeout, kept for `maxAge`, fetched
 * again for an unknown `kid` at most once per `cooldown` (so a flood of made-up kids costs a bounded
 * number of fetches), and after a failed fetch answered 503 for `retryAfter` seconds without fetching.
 */
class IssuerKeys {
  private resolver: KeyResolver | undefined;
  private fetchedAt = -Infinity;
  private failedAt = -Infinity;
  private pending: Promise<void> | undefined;
  private jwksUri: string | undefined;

  constructor(private readonly settings: KeySetSettings) {
    this.jwksUri = settings.jwksUri;
  }

  /** The key for a token's header, imported for its `alg`: what `verifyJwt` checks the signature with. */
  readonly resolve: KeyResolver = async (header, token) => {
    if (!this.resolver || Date.now() - this.fetchedAt >= this.settings.maxAge) await this.refresh();
    try {
      return await this.resolver!(header, token);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || Date.now() - this.fetchedAt < this.settings.cooldown) throw error;
      // The provider may have rotated its keys since the last fetch.
      await this.refresh();
      return this.resolver!(header, token);
    }
  };

  /** One fetch at a time, shared by every request waiting for it. */
  private refresh(): Promise<void> {
    const waitedMs = Date.now() - this.failedAt;
    if (waitedMs < this.settings.retryAfter * 1000) return Promise.reject(this.unavailable(undefined, waitedMs));
    this.pending ??= this.fetchKeys()
      .then(
        (resolver) => {
          this.resolver = resolver;
          this.fetchedAt = Date.now();
        },
        (cause: unknown) => {
          this.failedAt = Date.now();
          throw this.unavailable(cause, 0);
        },
      )
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private async fetchKeys(): Promise<KeyResolver> {
    this.jwksUri ??= await this.discover();
    const jwks = await fetchJson(this.jwksUri, this.settings.fetchTimeout, 'The JWKS');
    return (await this.settings.localKeySet())(jwks as JwkSet);
  }

  /** The `jwks_uri` of the issuer's OpenID configuration, which must name the same issuer (OpenID Connect Discovery §4.3). */
  private async discover(): Promise<string> {
    const { issuer, fetchTimeout } = this.settings;
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const configuration = (await fetchJson(url, fetchTimeout, 'The OpenID configuration')) as { issuer?: unknown; jwks_uri?: unknown };
    if (configuration?.issuer !== issuer)
      throw new Error(`The OpenID configuration at ${url} names the issuer ${JSON.stringify(configuration?.issuer)}, not ${issuer}.`);
    const jwksUri = configuration.jwks_uri;
    if (typeof jwksUri !== 'string' || !isAllowedProviderUrl(jwksUri)) throw new Error(`The OpenID configuration at ${url} has no usable https jwks_uri.`);
    return jwksUri;
  }

  private unavailable(cause: unknown, waitedMs: number): AccessTokenError {
    const seconds = Math.max(1, Math.ceil(this.settings.retryAfter - waitedMs / 1000));
    return new AccessTokenError('IDENTITY_PROVIDER_UNAVAILABLE', "The identity provider's signing keys could not be fetched: try again shortly.", {
      cause: cause ?? new Error(`The keys of ${this.settings.issuer} failed to load less than ${this.settings.retryAfter} s ago; not fetched again yet.`),
      headers: { 'retry-after': String(seconds) },
    });
  }
}

/** One key set per issuer and settings, shared by every `bearerUser` of the process (or isolate). */
const keySets = new Map<string, IssuerKeys>();

export function issuerKeys(settings: KeySetSettings): KeyResolver {
  const { localKeySet, ...identifying } = settings;
  const id = JSON.stringify(identifying);
  let keys = keySets.get(id);
  if (!keys) {
    keys = new IssuerKeys(settings);
    keySets.set(id, keys);
  }
  return keys.resolve;
}
