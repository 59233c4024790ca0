import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import twilio from 'twilio';
import { expect } from 'vitest';
import { AccessTokenError, type AccessTokenErrorCode } from '@grantor/core';

/** The account SID twilio-node's own spec uses: valid hex, so grantor accepts it too. */
export const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
/** Distinctive secrets, so a leak into an error message is unmistakable. */
export const KEY = { sid: `SK${'b'.repeat(32)}`, secret: 'grantor-test-secret-Zq8vLx' };
export const OLD_KEY = { sid: `SK${'c'.repeat(32)}`, secret: 'grantor-old-secret-Wm3pRt' };
export const SECRETS = [KEY.secret, OLD_KEY.secret];

/** The frozen instant of the golden vectors: 2023-11-14T22:13:20.123Z. */
export const NOW_MS = 1_700_000_000_123;
export const NOW = Math.floor(NOW_MS / 1000);

/** twilio-node's AccessToken: the oracle every byte is compared with. */
export const TwilioAccessToken = twilio.jwt.AccessToken;

/** A SID with the given two-letter prefix and 32 copies of one hex digit. */
export const sid = (prefix: string, digit: string): string => `${prefix}${digit.repeat(32)}`;

/** Verifies an HS256 token with jsonwebtoken, independently of grantor, and returns its claims. */
export const verifyWithJsonwebtoken = (token: string, secret: string): jwt.JwtPayload => jwt.verify(token, secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;

const base64url = (json: unknown): string => Buffer.from(JSON.stringify(json)).toString('base64url');

/** Signs any header and claims by hand: for tokens grantor refuses to mint but must be able to verify. */
export function handSign(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  secret: string = KEY.secret,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  const signingInput = `${base64url(header)}.${base64url(claims)}`;
  return `${signingInput}.${createHmac(hash, secret).update(signingInput).digest('base64url')}`;
}

/** The header and claims of a well-formed token, read directly from its base64url parts. */
export function readToken(token: string): { header: Record<string, any>; claims: Record<string, any>; signature: string } {
  const [header = '', claims = '', signature = ''] = token.split('.');
  const parse = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: parse(header), claims: parse(claims), signature };
}

/** The claims grantor would mint for `identity` now, with a video grant: a base for hand-made variants. */
export function validClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    jti: `${KEY.sid}-${NOW}`,
    grants: { identity: 'alice', video: { room: 'lobby' } },
    iat: NOW,
    exp: NOW + 3600,
    iss: KEY.sid,
    sub: ACCOUNT_SID,
    ...overrides,
  };
}

export const TWILIO_HEADER = { alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' };

/**
 * Runs `action`, expects an AccessTokenError with this code and Twilio code, checks that its
 * message names no test secret, and returns it for further checks.
 */
export function expectTokenError(action: () => unknown, code: AccessTokenErrorCode, twilioCode: number | undefined): AccessTokenError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${code} to be thrown`).toBeInstanceOf(AccessTokenError);
  const error = thrown as AccessTokenError;
  expect({ code: error.code, twilioCode: error.twilioCode }).toEqual({ code, twilioCode });
  expectNoSecretIn(error.message);
  return error;
}

/** Fails if the text contains any of the test secrets. */
export function expectNoSecretIn(text: string, secrets: readonly string[] = SECRETS): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}
