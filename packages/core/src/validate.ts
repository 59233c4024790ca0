import { AccessTokenError } from './errors.js';
import { describe, describeSid, type Grant } from './grants.js';

/** The longest lifetime Twilio accepts for an Access Token (error 20157 beyond it). */
export const MAX_TTL = 86_400;
/** The lifetime used when none is given, as in twilio-node. */
export const DEFAULT_TTL = 3_600;

export const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
export const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;
const VOICE_IDENTITY = /^[A-Za-z0-9_]+$/;
const REGION = /^[a-z]{2}[0-9]{1,2}$/;

const isMissing = (value: unknown) => value === undefined || value === null || value === '';

/** A missing credential is most often an unset environment variable: say which value, and where apps keep it. */
function missingCredential(
  code: 'INVALID_ACCOUNT_SID' | 'INVALID_API_KEY_SID' | 'INVALID_API_KEY_SECRET',
  name: string,
  value: unknown,
  envName: string,
  what: string,
): AccessTokenError {
  const got = value === '' ? 'an empty string' : String(value);
  return new AccessTokenError(
    code,
    `${name} is missing (got ${got}): it must be ${what}. Apps usually read it from the environment, e.g. process.env.${envName}: check that ${envName} is set where this process runs (a .env file is read only if your app or framework loads it).`,
  );
}

/**
 * When several credentials are missing (typically no TWILIO_* variable is set at all), one error names
 * them all, so a fix does not take a restart per variable. One missing value is left to its own check.
 */
export function checkCredentialsPresent(accountSid: unknown, keys: unknown): void {
  const key = (Array.isArray(keys) ? keys[0] : keys) as { sid?: unknown; secret?: unknown } | null | undefined;
  const missing = (
    [
      ['accountSid', accountSid, 'TWILIO_ACCOUNT_SID', 'INVALID_ACCOUNT_SID'],
      ['keys.sid', key?.sid, 'TWILIO_API_KEY_SID', 'INVALID_API_KEY_SID'],
      ['keys.secret', key?.secret, 'TWILIO_API_KEY_SECRET', 'INVALID_API_KEY_SECRET'],
    ] as const
  ).filter(([, value]) => isMissing(value));
  if (missing.length < 2) return;
  const list = (items: string[]) => `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
  throw new AccessTokenError(
    missing[0]![3],
    `${list(missing.map(([name]) => name))} are missing: the Account SID, an API key SID and its secret sign every token. Apps usually read them from the environment, e.g. ${list(missing.map(([, , env]) => `process.env.${env}`))}: check that ${list(missing.map(([, , env]) => env))} are set where this process runs (a .env file is read only if your app or framework loads it).`,
  );
}

export function checkAccountSid(accountSid: unknown): asserts accountSid is string {
  if (isMissing(accountSid)) {
    throw missingCredential(
      'INVALID_ACCOUNT_SID',
      'accountSid',
      accountSid,
      'TWILIO_ACCOUNT_SID',
      'your Account SID ("AC" followed by 32 hex characters, in the Twilio Console)',
    );
  }
  if (typeof accountSid !== 'string' || !ACCOUNT_SID.test(accountSid)) {
    throw new AccessTokenError(
      'INVALID_ACCOUNT_SID',
      `accountSid must be your Account SID: "AC" followed by 32 hex characters (got ${describeSid(accountSid)}). Find it in the Twilio Console.`,
    );
  }
}

export function checkApiKey(sid: unknown, secret: unknown): asserts sid is string {
  if (isMissing(sid)) {
    throw missingCredential(
      'INVALID_API_KEY_SID',
      'The API key SID (keys.sid)',
      sid,
      'TWILIO_API_KEY_SID',
      'an API key SID ("SK" followed by 32 hex characters)',
    );
  }
  if (typeof sid !== 'string' || !API_KEY_SID.test(sid)) {
    throw new AccessTokenError(
      'INVALID_API_KEY_SID',
      `The API key SID must be "SK" followed by 32 hex characters (got ${describeSid(sid)}). Create a standard API key in the Twilio Console; an Auth Token cannot sign Access Tokens.`,
    );
  }
  if (isMissing(secret)) {
    throw missingCredential(
      'INVALID_API_KEY_SECRET',
      `The secret for API key ${sid} (keys.secret)`,
      secret,
      'TWILIO_API_KEY_SECRET',
      'the secret shown once when the key was created',
    );
  }
  if (typeof secret !== 'string') {
    // The value is never shown: it may be a real secret.
    throw new AccessTokenError('INVALID_API_KEY_SECRET', `The secret for API key ${sid} must be a non-empty string (got ${typeof secret}).`);
  }
}

/** Returns the identity as the string Twilio sees, or throws. Integers become strings, as in twilio-node. */
export function normalizeIdentity(identity: unknown): string {
  if (Number.isInteger(identity)) return String(identity);
  if (typeof identity !== 'string' || identity.length === 0) {
    throw new AccessTokenError('INVALID_IDENTITY', `identity is required: a non-empty string (or an integer) naming the user (got ${describe(identity)}).`);
  }
  if (identity.length > 256) {
    throw new AccessTokenError('INVALID_IDENTITY', `identity must be at most 256 characters (got ${identity.length}).`);
  }
  return identity;
}

/** The longest Voice client name Twilio accepts. */
export const MAX_VOICE_IDENTITY_LENGTH = 121;

/** Voice client names allow only letters, digits and underscores, up to 121 characters (Twilio error 31105). */
export function checkVoiceIdentity(identity: string): void {
  if (identity.length > MAX_VOICE_IDENTITY_LENGTH || !VOICE_IDENTITY.test(identity)) {
    throw new AccessTokenError(
      'INVALID_VOICE_IDENTITY',
      `With a Voice grant the identity may contain only letters, digits and "_" and be at most 121 characters (got ${describe(identity)}). Map your user IDs to such a name, e.g. with identity: (user) => voiceIdentity(user.id).`,
    );
  }
}

export function checkTtl(ttl: unknown, maxTtl: number = MAX_TTL): number {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1) {
    throw new AccessTokenError(
      'INVALID_TTL',
      `ttl must be a whole number of seconds from 1 to ${maxTtl} (got ${describe(ttl)}). Strings such as "1h" are not accepted.`,
    );
  }
  if (ttl > maxTtl) {
    throw new AccessTokenError(
      'TTL_TOO_LONG',
      ttl > MAX_TTL
        ? `ttl is ${ttl} s, but Twilio rejects tokens that live longer than ${MAX_TTL} s (24 h). Use a shorter ttl and refresh the token.`
        : `ttl is ${ttl} s, above this signer's maxTtl of ${maxTtl} s.`,
    );
  }
  return ttl;
}

export function checkMaxTtl(maxTtl: unknown): number {
  if (typeof maxTtl !== 'number' || !Number.isInteger(maxTtl) || maxTtl < 1 || maxTtl > MAX_TTL) {
    throw new AccessTokenError('INVALID_OPTIONS', `maxTtl must be a whole number of seconds from 1 to ${MAX_TTL} (got ${describe(maxTtl)}).`);
  }
  return maxTtl;
}

export function checkNbf(nbf: unknown, expiresAt: number): void {
  if (typeof nbf !== 'number' || !Number.isSafeInteger(nbf) || nbf < 0) {
    throw new AccessTokenError('INVALID_NBF', `nbf must be a Unix time in whole seconds (got ${describe(nbf)}).`);
  }
  if (nbf >= expiresAt) {
    throw new AccessTokenError('INVALID_NBF', `nbf (${nbf}) is not before the expiry (${expiresAt}): the token would never be valid.`);
  }
}

/** Returns the region, or undefined for none; rejects anything that is not a region code. */
export function checkRegion(region: unknown): string | undefined {
  if (region === undefined || region === null || region === '') return undefined;
  if (typeof region !== 'string' || !REGION.test(region)) {
    throw new AccessTokenError('INVALID_REGION', `region must be a Twilio region code such as "us1", "ie1" or "au1" (got ${describe(region)}).`);
  }
  return region;
}

export function checkJti(jti: unknown): void {
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) {
    throw new AccessTokenError('INVALID_JTI', `jti must be a non-empty string of at most 256 characters (got ${describe(jti)}).`);
  }
}

/** Validates every grant and the identity rules that depend on them. */
export function checkGrants(grants: readonly Grant[], identity: string): void {
  for (const grant of grants) {
    // Foreign grants (twilio-node's own, or any { key, toPayload }) have no validate(), as addGrant allows.
    if (typeof grant.validate === 'function') grant.validate();
    if (grant.key === 'voice') checkVoiceIdentity(identity);
  }
}
