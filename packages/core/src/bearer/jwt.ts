import { cryptoRuntime, JWS_SIGNATURES, type JwsSignatureAlgorithm } from '../runtime.js';
import { invalidBearerToken } from './errors.js';
import type { KeyResolver } from './keys.js';

/** What a bearer token must satisfy besides its signature. */
export interface JwtChecks {
  /** The accepted `alg` values, all asymmetric. */
  algorithms: ReadonlySet<string>;
  issuer: string;
  audiences: readonly string[];
  /** `aud` (a string or a list, RFC 7519 §4.1.3) or a provider's single-valued equivalent such as `client_id`. */
  audienceClaim: string;
  /** Seconds of skew allowed on `exp` and `nbf`. */
  clockTolerance: number;
}

/** The claims of a verified bearer token. */
export interface BearerClaims {
  iss: string;
  sub?: string | undefined;
  aud?: string | string[] | undefined;
  exp: number;
  nbf?: number | undefined;
  iat?: number | undefined;
  [claim: string]: unknown;
}

/** Three base64url parts (RFC 7515 §7.1); an empty signature still reaches the `alg` check, so `alg: none` is refused as such. */
const COMPACT_JWS = /^([\w-]+)\.([\w-]+)\.([\w-]*)$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const ascii = new TextEncoder();

const malformed = () => invalidBearerToken('The bearer token is malformed.');
const notAccepted = (claim: string) => invalidBearerToken(`The bearer token's "${claim}" claim is missing or not accepted.`);

/** The UTF-8 text of a base64url part; bad UTF-8 throws (the replacing decoder is the fast one, so only its U+FFFD are checked again). */
function utf8Text(part: string): string {
  const text = cryptoRuntime.decodeText(part);
  return text.includes('\uFFFD') ? strictUtf8.decode(cryptoRuntime.decodeBytes(part)) : text;
}

/** A JSON object (not an array, not a class instance) from a base64url part, or undefined. */
function jsonObject(part: string): Record<string, unknown> | undefined {
  if (part.length % 4 === 1) return undefined;
  try {
    const value: unknown = JSON.parse(utf8Text(part));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const prototype = Object.getPrototypeOf(value);
    return prototype === null || prototype === Object.prototype ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function hasAudience(value: unknown, audiences: readonly string[]): boolean {
  if (typeof value === 'string') return audiences.includes(value);
  return Array.isArray(value) && audiences.some((audience) => value.includes(audience));
}

/** A numeric-date claim (RFC 7519 §2): absent, or a number. */
function numericDate(claims: Record<string, unknown>, claim: string): number | undefined {
  const value = claims[claim];
  if (value !== undefined && typeof value !== 'number') throw notAccepted(claim);
  return value;
}

/** RFC 7519 §7.2's claim checks, in jose's order, so a token refused for two reasons names the same one. */
function checkClaims(claims: Record<string, unknown>, checks: JwtChecks): BearerClaims {
  const { issuer, audiences, audienceClaim, clockTolerance } = checks;
  for (const claim of new Set(['iss', 'aud', audienceClaim, 'exp'])) {
    if (claim === 'aud' && audienceClaim !== 'aud') continue;
    if (!Object.hasOwn(claims, claim)) throw notAccepted(claim);
  }
  if (claims.iss !== issuer) throw notAccepted('iss');
  const audience = claims[audienceClaim];
  // A provider's own claim (Cognito's client_id, Clerk's azp) holds one value; `aud` may hold a list.
  if (audienceClaim === 'aud' ? !hasAudience(audience, audiences) : !audiences.includes(audience as string)) throw notAccepted(audienceClaim);
  const now = Math.floor(Date.now() / 1000);
  numericDate(claims, 'iat');
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && nbf > now + clockTolerance) throw invalidBearerToken('The bearer token is not valid yet.');
  const exp = numericDate(claims, 'exp')!;
  if (exp <= now - clockTolerance) throw invalidBearerToken('The bearer token has expired: get a new one from your identity provider.');
  return claims as BearerClaims;
}

/**
 * Verifies a compact JWS bearer token (RFC 7515, RFC 7519) and returns its checked claims. RFC 8725:
 * the header's `alg` must be one of `checks.algorithms` (asymmetric only) before any key is looked up;
 * the key comes from the provider's key set for that `alg` and `kid` (jose's key selection: key type,
 * curve, `use` and the JWK's own `alg` must match), never from the token. Only the signature check
 * differs by runtime (`cryptoRuntime.verifySignature`).
 */
export async function verifyJwt(token: string, keyFor: KeyResolver, checks: JwtChecks): Promise<BearerClaims> {
  const parts = COMPACT_JWS.exec(token);
  const header = parts && jsonObject(parts[1]!);
  if (!header) throw malformed();
  // No JWS extension is implemented here, so a critical one makes the token invalid (RFC 7515 §4.1.11);
  // an unencoded payload (RFC 7797's b64) is not allowed in a JWT anyway.
  if (header.crit !== undefined) throw malformed();
  const { alg } = header;
  if (typeof alg !== 'string' || alg === '') throw malformed();
  if (!checks.algorithms.has(alg)) throw invalidBearerToken("The bearer token's signature algorithm is not accepted.");
  const [, encodedHeader, encodedPayload, encodedSignature] = parts as unknown as [string, string, string, string];
  const key = (await keyFor(header as { alg: string; kid?: string }, { payload: encodedPayload, signature: encodedSignature })) as CryptoKey;
  const { scheme } = JWS_SIGNATURES[alg as JwsSignatureAlgorithm];
  // RFC 7518 §3.3: RSA keys of 2048 bits or more.
  if ((scheme === 'pkcs1' || scheme === 'pss') && !((key.algorithm as RsaHashedKeyAlgorithm).modulusLength >= 2048)) {
    throw invalidBearerToken('The bearer token is signed with an RSA key shorter than 2048 bits.');
  }
  let verified = false;
  if (encodedSignature.length % 4 !== 1) {
    try {
      const input = ascii.encode(`${encodedHeader}.${encodedPayload}`);
      verified = await cryptoRuntime.verifySignature(alg as JwsSignatureAlgorithm, key, cryptoRuntime.decodeBytes(encodedSignature), input);
    } catch {
      // A signature the key's algorithm cannot even parse does not verify.
    }
  }
  if (!verified) throw invalidBearerToken("The bearer token's signature does not verify.");
  const claims = jsonObject(encodedPayload);
  if (!claims) throw malformed();
  return checkClaims(claims, checks);
}
