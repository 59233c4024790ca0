import { AccessTokenError } from './errors.js';
import { ChatGrant, describe, type Grant, PlaybackGrant, PRODUCT_GRANT_KEYS, SyncGrant, TaskRouterGrant, VideoGrant, VoiceGrant } from './grants.js';
import { cryptoRuntime, timingSafeEqualStrings } from './runtime.js';
import { unixTimeText } from './text.js';
import { type ApiKey, createKeyRing, type HmacSigner, TWILIO_CONTENT_TYPE } from './token.js';
import { ACCOUNT_SID, API_KEY_SID, checkAccountSid, checkGrants, MAX_TTL, normalizeIdentity } from './validate.js';

export interface AccessTokenHeader {
  alg: string;
  typ?: string | undefined;
  cty?: string | undefined;
  /** Home region, when the token names one. */
  twr?: string | undefined;
  [key: string]: unknown;
}

export interface AccessTokenClaims {
  jti?: string | undefined;
  grants?: { identity?: string; [grant: string]: unknown } | undefined;
  iat?: number | undefined;
  nbf?: number | undefined;
  exp?: number | undefined;
  /** The API key SID that signed the token. */
  iss?: string | undefined;
  /** The Account SID. */
  sub?: string | undefined;
  [key: string]: unknown;
}

export interface DecodedAccessToken {
  header: AccessTokenHeader;
  claims: AccessTokenClaims;
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Three base64url parts, the signature possibly empty: what jws accepts as a compact JWS. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** A JSON object encoded in a part, or undefined. */
function decodePart(part: string): object | undefined {
  try {
    const value: unknown = JSON.parse(cryptoRuntime.decodeText(part));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// Headers repeat (one per region), so each is decoded once; callers get a copy.
const headerCache = new Map<string, object | undefined>();
function decodeHeader(part: string): object | undefined {
  let header = headerCache.get(part);
  if (header === undefined && !headerCache.has(part)) {
    if (headerCache.size >= 64) headerCache.clear();
    header = decodePart(part);
    headerCache.set(part, header);
  }
  return header && { ...header };
}

/** The decoded token and the text its signature covers, or undefined when it is no compact JWS with JSON parts. */
function parseToken(token: unknown): (DecodedAccessToken & { signingInput: string; signature: string }) | undefined {
  const text = typeof token === 'string' ? token.trim() : '';
  if (!COMPACT_JWS.test(text)) return undefined;
  const [headerPart, claimsPart, signature] = text.split('.') as [string, string, string];
  const header = decodeHeader(headerPart);
  const claims = header && decodePart(claimsPart);
  if (!claims) return undefined;
  return { header: header as AccessTokenHeader, claims: claims as AccessTokenClaims, signingInput: `${headerPart}.${claimsPart}`, signature };
}

const malformedTokenError = () =>
  new AccessTokenError('MALFORMED_TOKEN', 'This is not a JWT: expected three base64url parts separated by dots, with a JSON header and JSON claims.');

/** Header and claims of a token, without checking anything else. For debugging; never trust the result. */
export function decodeAccessToken(token: string): DecodedAccessToken {
  const parsed = parseToken(token);
  if (!parsed) throw malformedTokenError();
  return { header: parsed.header, claims: parsed.claims };
}

export interface InspectOptions {
  /**
   * When given, `sub` must equal it.
   * @default undefined (`sub` must only look like an Account SID)
   */
  accountSid?: string | undefined;
  /**
   * When given, `iss` must be one of them and the signature must match its secret.
   * @default undefined (the signature is not checked)
   */
  keys?: ApiKey | readonly ApiKey[] | undefined;
  /**
   * Current time in milliseconds.
   * @default Date.now
   */
  clock?: (() => number) | undefined;
  /**
   * Seconds of clock skew allowed for `exp` and `nbf`.
   * @default 0
   */
  clockTolerance?: number | undefined;
}

export interface AccessTokenInspection {
  /** Undefined when the token could not be decoded at all. */
  decoded: DecodedAccessToken | undefined;
  /** What Twilio would reject, most fundamental first. */
  problems: AccessTokenError[];
  /** What Twilio accepts but no product SDK can use (a token without a product grant). */
  warnings: AccessTokenError[];
  /** True when a key from `keys` checked the signature (the token names it, under a valid header). */
  signatureChecked: boolean;
}

const GRANT_READERS: Record<string, (value: Record<string, any>) => Grant> = {
  chat: (v) =>
    new ChatGrant({
      serviceSid: v.service_sid,
      endpointId: v.endpoint_id,
      deploymentRoleSid: v.deployment_role_sid,
      pushCredentialSid: v.push_credential_sid,
    }),
  voice: (v) =>
    new VoiceGrant({
      incomingAllow: v.incoming?.allow,
      outgoingApplicationSid: v.outgoing?.application_sid,
      outgoingApplicationParams: v.outgoing?.params,
      pushCredentialSid: v.push_credential_sid,
      endpointId: v.endpoint_id,
    }),
  video: (v) => new VideoGrant({ room: v.room }),
  data_sync: (v) => new SyncGrant({ serviceSid: v.service_sid, endpointId: v.endpoint_id }),
  task_router: (v) => new TaskRouterGrant({ workspaceSid: v.workspace_sid, workerSid: v.worker_sid, role: v.role }),
  player: (v) => new PlaybackGrant({ grant: v }),
};

function checkClockTolerance(clockTolerance: unknown): number {
  if (clockTolerance === undefined) return 0;
  if (typeof clockTolerance !== 'number' || !Number.isSafeInteger(clockTolerance) || clockTolerance < 0) {
    throw new AccessTokenError('INVALID_OPTIONS', `clockTolerance must be a whole number of seconds, 0 or more (got ${describe(clockTolerance)}).`);
  }
  return clockTolerance;
}

function currentSeconds(clock: (() => number) | undefined): number {
  const now = (clock ?? Date.now)();
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new AccessTokenError('INVALID_OPTIONS', `clock must return the time in milliseconds (got ${describe(now)}).`);
  }
  return Math.floor(now / 1000);
}

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

function checkHeader(header: AccessTokenHeader): AccessTokenError | undefined {
  if (header.alg !== 'HS256') {
    return new AccessTokenError('UNSUPPORTED_ALGORITHM', `The header's alg is ${describe(header.alg)}; Twilio accepts HS256 only.`);
  }
  // RFC 7515 §4.1.11: extensions listed in crit must be understood, and grantor implements none.
  if (header.crit !== undefined) {
    const names = Array.isArray(header.crit) ? header.crit.slice(0, 5).map(describe).join(', ') || 'an empty list' : describe(header.crit);
    return new AccessTokenError(
      'INVALID_HEADER',
      `The header's crit (${names}) asks for extensions grantor does not implement: RFC 7515 says to reject such a token.`,
    );
  }
  if (header.typ !== 'JWT' || header.cty !== TWILIO_CONTENT_TYPE) {
    return new AccessTokenError(
      'INVALID_HEADER',
      `The header must have typ "JWT" and cty "${TWILIO_CONTENT_TYPE}" (got typ ${describe(header.typ)}, cty ${describe(header.cty)}).`,
    );
  }
  return undefined;
}

function checkSignature(signingInput: string, signature: string, sign: HmacSigner): AccessTokenError | undefined {
  if (timingSafeEqualStrings(sign(signingInput), signature)) return undefined;
  return new AccessTokenError('INVALID_SIGNATURE', "The signature does not match the API key's secret: the token was changed, or signed with another secret.");
}

function checkTimes(claims: AccessTokenClaims, now: number, tolerance: number): AccessTokenError[] {
  const { exp, nbf, iat } = claims;
  if (!isInteger(exp)) return [new AccessTokenError('INVALID_CLAIMS', `exp must be a Unix time in whole seconds (got ${describe(exp)}).`)];
  const problems: AccessTokenError[] = [];
  for (const [name, value] of [
    ['iat', iat],
    ['nbf', nbf],
  ] as const) {
    if (value !== undefined && !isInteger(value)) {
      problems.push(new AccessTokenError('INVALID_CLAIMS', `${name} must be a Unix time in whole seconds (got ${describe(value)}).`));
    }
  }
  if (now >= exp + tolerance) {
    problems.push(new AccessTokenError('TOKEN_EXPIRED', `The token expired at ${unixTimeText(exp)} (${now - exp} s ago). Fetch a new one.`));
  }
  if (isInteger(nbf) && now + tolerance < nbf) {
    problems.push(
      new AccessTokenError('TOKEN_NOT_YET_VALID', `The token is not valid before ${unixTimeText(nbf)} (${nbf - now} s from now). Check the server clock.`),
    );
  }
  // Twilio measures the lifetime from issuance; tokens without iat (twilio-python, twilio-go) carry nbf = issuance.
  const start = isInteger(iat) ? iat : isInteger(nbf) ? nbf : now;
  const lifetime = Math.max(exp - start, exp - now - tolerance);
  if (lifetime > MAX_TTL) {
    problems.push(new AccessTokenError('LIFETIME_TOO_LONG', `The token lives ${lifetime} s; Twilio rejects tokens valid for more than ${MAX_TTL} s (24 h).`));
  }
  return problems;
}

function checkGrantsClaim(grants: unknown): { problems: AccessTokenError[]; warnings: AccessTokenError[] } {
  if (!isObject(grants)) {
    return { problems: [new AccessTokenError('INVALID_GRANT', `The grants claim must be an object (got ${describe(grants)}).`)], warnings: [] };
  }
  const problems: AccessTokenError[] = [];
  const record = grants as Record<string, unknown>;
  let identity = '';
  try {
    identity = normalizeIdentity(record.identity);
  } catch (error) {
    problems.push(error as AccessTokenError);
  }
  const list: Grant[] = [];
  for (const [key, value] of Object.entries(record)) {
    // Untrusted claims: "__proto__" or "valueOf" must not reach Object.prototype.
    if (!Object.hasOwn(GRANT_READERS, key)) continue;
    const read = GRANT_READERS[key]!;
    if (!isObject(value)) {
      problems.push(new AccessTokenError('INVALID_GRANT', `The ${key} grant must be an object (got ${describe(value)}).`));
    } else {
      list.push(read(value as Record<string, unknown>));
    }
  }
  for (const grant of list) {
    try {
      checkGrants([grant], identity || '_');
    } catch (error) {
      problems.push(error as AccessTokenError);
    }
  }
  const warnings = Object.keys(record).some((key) => PRODUCT_GRANT_KEYS.has(key))
    ? []
    : [
        new AccessTokenError(
          'NO_GRANTS',
          'The token has no product grant (chat, voice, video, data_sync, task_router, player), so no Twilio SDK will accept it.',
        ),
      ];
  return { problems, warnings };
}

/**
 * Everything Twilio would reject in a token, without throwing: structure, header, issuer, subject,
 * signature (when keys are given), times and grants. `verifyAccessToken` throws the first problem.
 */
export function inspectAccessToken(token: string, options: InspectOptions = {}): AccessTokenInspection {
  // A malformed option is the caller's mistake, not the token's: throw it, as for malformed keys.
  // Time options fail closed: a NaN tolerance or clock would otherwise let an expired token pass.
  if (options.accountSid !== undefined) checkAccountSid(options.accountSid);
  const clockTolerance = checkClockTolerance(options.clockTolerance);
  const parsed = parseToken(token);
  if (!parsed) return { decoded: undefined, problems: [malformedTokenError()], warnings: [], signatureChecked: false };
  const { header, claims } = parsed;
  const decoded: DecodedAccessToken = { header, claims };
  const problems: AccessTokenError[] = [];
  const headerProblem = checkHeader(header);
  if (headerProblem) problems.push(headerProblem);

  const ring = options.keys === undefined ? undefined : createKeyRing(options.keys);
  const sign = typeof claims.iss === 'string' ? ring?.keys.get(claims.iss) : undefined;
  if (typeof claims.iss !== 'string' || !API_KEY_SID.test(claims.iss)) {
    problems.push(new AccessTokenError('UNKNOWN_ISSUER', `iss must be the API key SID that signed the token (got ${describe(claims.iss)}).`));
  } else if (ring && !sign) {
    problems.push(
      new AccessTokenError(
        'UNKNOWN_ISSUER',
        `The token was signed by API key ${claims.iss}, which is not in keys. A deleted or unknown key is rejected by Twilio.`,
      ),
    );
  }
  if (options.accountSid !== undefined && claims.sub !== options.accountSid) {
    problems.push(new AccessTokenError('INVALID_SUBJECT', `sub is ${describe(claims.sub)}, not the account ${options.accountSid}.`));
  } else if (options.accountSid === undefined && (typeof claims.sub !== 'string' || !ACCOUNT_SID.test(claims.sub))) {
    problems.push(new AccessTokenError('INVALID_SUBJECT', `sub must be the Account SID (got ${describe(claims.sub)}).`));
  }
  const signatureChecked = sign !== undefined && !headerProblem;
  if (signatureChecked) {
    const signatureProblem = checkSignature(parsed.signingInput, parsed.signature, sign);
    if (signatureProblem) problems.push(signatureProblem);
  }
  if (typeof claims.jti !== 'string' || claims.jti.length === 0) {
    problems.push(new AccessTokenError('INVALID_CLAIMS', `jti must be a non-empty string (got ${describe(claims.jti)}).`));
  }
  problems.push(...checkTimes(claims, currentSeconds(options.clock), clockTolerance));
  const grantCheck = checkGrantsClaim(claims.grants);
  problems.push(...grantCheck.problems);
  return { decoded, problems, warnings: grantCheck.warnings, signatureChecked };
}

export interface VerifyOptions extends InspectOptions {
  /** Your Account SID: the token's `sub` must equal it. */
  accountSid: string;
  /** The API keys you trust; the token's `iss` must be one of them. */
  keys: ApiKey | readonly ApiKey[];
}

/**
 * Verifies a token as Twilio does and returns its header and claims, or throws the first problem as
 * an `AccessTokenError` (with the Twilio error code Twilio would answer). HS256 only.
 */
export function verifyAccessToken(token: string, options: VerifyOptions): DecodedAccessToken {
  // inspectAccessToken checks an accountSid that is given.
  if (options?.accountSid === undefined) checkAccountSid(undefined);
  if (options.keys === undefined) throw new AccessTokenError('INVALID_OPTIONS', 'verifyAccessToken needs keys: the API keys you trust.');
  const { decoded, problems } = inspectAccessToken(token, options);
  if (problems[0]) throw problems[0];
  return decoded!;
}
