import { AccessTokenError } from './errors.js';
import {
  assertGrant,
  ChatGrant,
  type Grant,
  type GrantsInput,
  PlaybackGrant,
  PRODUCT_GRANT_KEYS,
  SyncGrant,
  TaskRouterGrant,
  toGrantList,
  VideoGrant,
  VoiceGrant,
} from './grants.js';
import { cryptoRuntime } from './runtime.js';
import {
  checkAccountSid,
  checkCredentialsPresent,
  checkApiKey,
  checkGrants,
  checkJti,
  checkMaxTtl,
  checkNbf,
  checkRegion,
  checkTtl,
  DEFAULT_TTL,
  MAX_TTL,
  normalizeIdentity,
} from './validate.js';

/** The `cty` header that marks a Twilio Access Token. */
export const TWILIO_CONTENT_TYPE = 'twilio-fpa;v=1';

interface TokenFields {
  accountSid: string;
  keySid: string;
  sign: HmacSigner;
  identity: string;
  grants: readonly Grant[];
  ttl: number;
  nowSeconds: number;
  nbf: number | undefined;
  region: string | undefined;
  jti: string;
}

const headerCache = new Map<string, string>();

/** The encoded header; one string per region, built once. ASCII only (checkRegion), so UTF-8 and jws's Latin-1 agree. */
function encodedHeader(region: string | undefined): string {
  const cacheKey = region ?? '';
  let encoded = headerCache.get(cacheKey);
  if (encoded === undefined) {
    const header = { alg: 'HS256', typ: 'JWT', cty: TWILIO_CONTENT_TYPE, ...(region ? { twr: region } : {}) };
    encoded = cryptoRuntime.encode(JSON.stringify(header));
    headerCache.set(cacheKey, encoded);
  }
  return encoded;
}

/** Signs already validated fields with the exact key order twilio-node 6 (via jsonwebtoken 9) produces. */
function encodeToken(fields: TokenFields): string {
  const grants: Record<string, unknown> = { identity: fields.identity };
  for (const grant of fields.grants) grants[grant.key] = grant.toPayload();
  const payload: Record<string, unknown> = { jti: fields.jti, grants };
  if (fields.nbf !== undefined) payload.nbf = fields.nbf;
  payload.iat = fields.nowSeconds;
  payload.exp = fields.nowSeconds + fields.ttl;
  payload.iss = fields.keySid;
  payload.sub = fields.accountSid;
  const signingInput = `${encodedHeader(fields.region)}.${cryptoRuntime.encode(JSON.stringify(payload))}`;
  return `${signingInput}.${fields.sign(signingInput)}`;
}

/** `SK...-<issued at>-<24 random hex>`: unique per token, unlike twilio-node's `SK...-<issued at>`. */
function defaultJti(keySid: string, nowSeconds: number): string {
  const uuid = crypto.randomUUID();
  return `${keySid}-${nowSeconds}-${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(24)}`;
}

/** Options of the twilio-node compatible `AccessToken`. */
export interface AccessTokenOptions {
  /** Who the token is for. Integers are turned into strings, as twilio-node does. */
  identity: string | number;
  /**
   * Lifetime in whole seconds, from 1 to 86400.
   * @default 3600
   */
  ttl?: number | undefined;
  /**
   * Not-before time, a Unix time in whole seconds. Omitted from the token when not set.
   * @default undefined (no `nbf` claim)
   */
  nbf?: number | undefined;
  /**
   * Home region code written to the `twr` header, e.g. `"ie1"`.
   * @default undefined (no `twr` header)
   */
  region?: string | undefined;
  /**
   * The token's `jti`.
   * @default `${apiKeySid}-${issuedAt}-${random}`, unique per token
   */
  jti?: string | undefined;
}

/**
 * A drop-in for twilio-node's `jwt.AccessToken`: same constructor, `addGrant`, synchronous `toJwt`,
 * same bytes. Unlike twilio-node it validates everything at mint time and throws `AccessTokenError`.
 * Fields are public and read when `toJwt()` runs.
 */
export class AccessToken {
  static readonly DEFAULT_ALGORITHM = 'HS256';
  /** Twilio accepts HS256 only, so that is all grantor signs. */
  static readonly ALGORITHMS: readonly string[] = ['HS256'];
  static readonly ChatGrant = ChatGrant;
  static readonly VoiceGrant = VoiceGrant;
  static readonly VideoGrant = VideoGrant;
  static readonly SyncGrant = SyncGrant;
  static readonly TaskRouterGrant = TaskRouterGrant;
  static readonly PlaybackGrant = PlaybackGrant;

  accountSid: string;
  keySid: string;
  /** Not enumerable, so logging or serializing the token object never prints it. */
  declare secret: string;
  identity: string | number;
  ttl: number;
  nbf: number | undefined;
  region: string | undefined;
  jti: string | undefined;
  grants: Grant[] = [];

  constructor(accountSid: string, keySid: string, secret: string, options: AccessTokenOptions) {
    checkAccountSid(accountSid);
    checkApiKey(keySid, secret);
    normalizeIdentity(options?.identity);
    this.accountSid = accountSid;
    this.keySid = keySid;
    Object.defineProperty(this, 'secret', { value: secret, writable: true, enumerable: false, configurable: true });
    this.identity = options.identity;
    this.ttl = options.ttl ?? DEFAULT_TTL;
    this.nbf = options.nbf;
    this.region = options.region;
    this.jti = options.jti;
  }

  /** Adds a grant; a later grant with the same key replaces the earlier one's value. */
  addGrant(grant: Grant): this {
    assertGrant(grant);
    this.grants.push(grant);
    return this;
  }

  /** Validates and signs the token. Only `'HS256'` (the default) is accepted. */
  toJwt(algorithm?: string): string {
    if (algorithm && algorithm !== 'HS256') {
      throw new AccessTokenError(
        'UNSUPPORTED_ALGORITHM',
        `Algorithm ${JSON.stringify(algorithm)} is not supported: Twilio accepts HS256 only (error 20102). Call toJwt() with no argument.`,
      );
    }
    checkAccountSid(this.accountSid);
    checkApiKey(this.keySid, this.secret);
    const identity = normalizeIdentity(this.identity);
    const ttl = checkTtl(this.ttl);
    const region = checkRegion(this.region);
    checkGrants(this.grants, identity);
    const nowSeconds = Math.floor(Date.now() / 1000);
    if (this.nbf !== undefined) checkNbf(this.nbf, nowSeconds + ttl);
    if (this.jti !== undefined) checkJti(this.jti);
    return encodeToken({
      accountSid: this.accountSid,
      keySid: this.keySid,
      sign: signerFor({ sid: this.keySid, secret: this.secret }),
      identity,
      grants: this.grants,
      ttl,
      nowSeconds,
      nbf: this.nbf,
      region,
      jti: this.jti ?? defaultJti(this.keySid, nowSeconds),
    });
  }

  toString(): string {
    return `[AccessToken ${this.keySid} for ${String(this.identity)}]`;
  }
}

/** An API key: its SID (`SK...`) and secret. */
export interface ApiKey {
  sid: string;
  secret: string;
}

export interface SignerOptions {
  /** Your Account SID (`AC...`): the token's `sub`. */
  accountSid: string;
  /** One API key, or a key ring: the first key signs, every key verifies (for rotation). */
  keys: ApiKey | readonly ApiKey[];
  /**
   * Lifetime used when `sign()` gets no `ttl`, in seconds.
   * @default 3600
   */
  defaultTtl?: number | undefined;
  /**
   * The longest lifetime `sign()` accepts, in seconds; at most 86400 (Twilio's limit).
   * @default 86400
   */
  maxTtl?: number | undefined;
  /**
   * Home region code for the `twr` header, e.g. `"ie1"`.
   * @default undefined (no `twr` header)
   */
  region?: string | undefined;
  /**
   * Current time in milliseconds, read once per token.
   * @default Date.now
   */
  clock?: (() => number) | undefined;
}

export interface SignOptions {
  /** Who the token is for: a string of 1-256 characters, or an integer. */
  identity: string | number;
  /** At least one product grant: grant objects, or `{ video: { room }, voice: { incomingAllow: true } }`. */
  grants: GrantsInput;
  /**
   * Lifetime in seconds; defaults to the signer's `defaultTtl`.
   * @default the signer's `defaultTtl`
   */
  ttl?: number | undefined;
  /**
   * Not-before time, a Unix time in whole seconds.
   * @default undefined (no `nbf` claim)
   */
  nbf?: number | undefined;
  /**
   * A `jti` of your own; by default a unique one is made.
   * @default a unique `SK...-<issued at>-<random>`
   */
  jti?: string | undefined;
}

export interface IssuedToken {
  /** The signed JWT. Hand it to the client; never log it. */
  token: string;
  identity: string;
  issuedAt: Date;
  expiresAt: Date;
  /** Lifetime in seconds. */
  ttl: number;
  jti: string;
  /** The API key that signed the token. */
  keySid: string;
  /** The grant keys in the token, e.g. `['video', 'voice']`. */
  grantKeys: string[];
}

export interface Signer {
  readonly accountSid: string;
  /** SIDs of the keys that verify, the signing key first. Secrets are never exposed. */
  readonly keySids: readonly string[];
  readonly defaultTtl: number;
  readonly maxTtl: number;
  sign(options: SignOptions): IssuedToken;
}

/** @internal Signs a signing input with one API key's secret: the base64url HMAC-SHA256. */
export type HmacSigner = (input: string) => string;

/** @internal A key ring with each secret prepared once. */
export interface KeyRing {
  keys: Map<string, HmacSigner>;
  signing: { sid: string; sign: HmacSigner };
}

// Prepared secrets by SID and secret, so signing or verifying many tokens with the same keys prepares each once.
const signerCache = new Map<string, HmacSigner>();
function signerFor(apiKey: ApiKey): HmacSigner {
  const cacheKey = `${apiKey.sid}:${apiKey.secret}`;
  let sign = signerCache.get(cacheKey);
  if (!sign) {
    if (signerCache.size >= 64) signerCache.clear();
    sign = cryptoRuntime.hmacSigner(apiKey.secret);
    signerCache.set(cacheKey, sign);
  }
  return sign;
}

// Rings by the keys object they came from, with the SIDs and secrets they were made of: verifying many
// tokens against one options object validates and prepares its keys once, and a changed key is seen.
const ringCache = new WeakMap<object, { ring: KeyRing; made: readonly ApiKey[] }>();

const unchanged = (made: readonly ApiKey[], list: readonly ApiKey[]) =>
  made.length === list.length && made.every((apiKey, i) => apiKey.sid === list[i]?.sid && apiKey.secret === list[i]?.secret);

/** @internal Validates the keys and prepares each secret once. */
export function createKeyRing(keys: ApiKey | readonly ApiKey[]): KeyRing {
  const list: readonly ApiKey[] = Array.isArray(keys) ? keys : [keys as ApiKey];
  const cacheable = typeof keys === 'object' && keys !== null;
  const cached = cacheable ? ringCache.get(keys) : undefined;
  if (cached && unchanged(cached.made, list)) return cached.ring;
  const ring = buildKeyRing(list);
  if (cacheable) ringCache.set(keys, { ring, made: list.map(({ sid, secret }) => ({ sid, secret })) });
  return ring;
}

function buildKeyRing(list: readonly ApiKey[]): KeyRing {
  if (list.length === 0) {
    throw new AccessTokenError('INVALID_API_KEY_SID', 'keys must hold at least one { sid, secret } API key.');
  }
  const ring = new Map<string, HmacSigner>();
  for (const apiKey of list) {
    checkApiKey(apiKey?.sid, apiKey?.secret);
    if (ring.has(apiKey.sid)) {
      throw new AccessTokenError('INVALID_API_KEY_SID', `API key ${apiKey.sid} is listed twice in keys.`);
    }
    ring.set(apiKey.sid, signerFor(apiKey));
  }
  const [signingSid, signingSign] = ring.entries().next().value as [string, HmacSigner];
  return { keys: ring, signing: { sid: signingSid, sign: signingSign } };
}

/** Creates a signer that validates every token at mint time. Configuration errors throw here, at start-up. */
export function createSigner(options: SignerOptions): Signer {
  if (typeof options !== 'object' || options === null) {
    throw new AccessTokenError('INVALID_OPTIONS', 'createSigner needs { accountSid, keys }.');
  }
  const { accountSid } = options;
  checkCredentialsPresent(accountSid, options.keys);
  checkAccountSid(accountSid);
  const ring = createKeyRing(options.keys);
  const maxTtl = options.maxTtl === undefined ? MAX_TTL : checkMaxTtl(options.maxTtl);
  const defaultTtl = checkTtl(options.defaultTtl ?? Math.min(DEFAULT_TTL, maxTtl), maxTtl);
  const region = checkRegion(options.region);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new AccessTokenError('INVALID_OPTIONS', 'clock must be a function returning milliseconds.');
  const { sid: keySid, sign } = ring.signing;

  return {
    accountSid,
    keySids: [...ring.keys.keys()],
    defaultTtl,
    maxTtl,
    sign(signOptions: SignOptions): IssuedToken {
      const identity = normalizeIdentity(signOptions?.identity);
      const grants = toGrantList(signOptions.grants);
      if (!grants.some((grant) => PRODUCT_GRANT_KEYS.has(grant.key))) {
        throw new AccessTokenError(
          'NO_GRANTS',
          'The token has no product grant, and every Twilio SDK rejects such a token. Add one of: chat, voice, video, sync, taskRouter, playback.',
        );
      }
      checkGrants(grants, identity);
      const ttl = checkTtl(signOptions.ttl ?? defaultTtl, maxTtl);
      const nowSeconds = Math.floor(clock() / 1000);
      if (signOptions.nbf !== undefined) checkNbf(signOptions.nbf, nowSeconds + ttl);
      if (signOptions.jti !== undefined) checkJti(signOptions.jti);
      const jti = signOptions.jti ?? defaultJti(keySid, nowSeconds);
      const token = encodeToken({ accountSid, keySid, sign, identity, grants, ttl, nowSeconds, nbf: signOptions.nbf, region, jti });
      return {
        token,
        identity,
        issuedAt: new Date(nowSeconds * 1000),
        expiresAt: new Date((nowSeconds + ttl) * 1000),
        ttl,
        jti,
        keySid,
        grantKeys: [...new Set(grants.map((grant) => grant.key))],
      };
    },
  };
}
