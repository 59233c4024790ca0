/**
 * Golden vectors: exact tokens twilio-node 6.2.0 produced under a frozen clock (golden-vectors.json).
 * grantor must reproduce them byte for byte, through the drop-in AccessToken and through the signer.
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyAccessToken } from '@grantor/core';
import { expectTokenError } from '../../packages/core/test/support.js';
import fixture from './golden-vectors.json';
import { type GrantDraft, grantorAccessToken, grantorSign, type TokenInput, twilioNodeToken } from './mint.js';

interface Vector {
  name: string;
  identity: string | number;
  grants: GrantDraft[];
  region?: string;
  nbf?: number;
  header: string;
  payload: string;
  signature: string;
  /** The complete token as the reference printed it, where it did. */
  token?: string;
}

const base64url = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
const assemble = (vector: Pick<Vector, 'header' | 'payload' | 'signature'>) =>
  `${base64url(vector.header)}.${base64url(vector.payload)}.${vector.signature}`;

const inputOf = (vector: Pick<Vector, 'identity' | 'grants' | 'region' | 'nbf'>): TokenInput => ({
  nowMs: fixture.clockMs,
  accountSid: fixture.accountSid,
  keySid: fixture.keySid,
  secret: fixture.secret,
  ttl: fixture.ttl,
  identity: vector.identity,
  grants: vector.grants,
  region: vector.region,
  nbf: vector.nbf,
});

const vectors = fixture.vectors as Vector[];

beforeEach(() => {
  vi.spyOn(Date, 'now').mockReturnValue(fixture.clockMs);
});
afterEach(() => vi.restoreAllMocks());

describe.each(vectors)('golden vector: $name', (vector) => {
  const expected = vector.token ?? assemble(vector);
  const input = inputOf(vector);

  it('the fixture is self-consistent: the signature is node:crypto HMAC-SHA256 of header.payload with the secret, and the parts make the printed token', () => {
    const signingInput = `${base64url(vector.header)}.${base64url(vector.payload)}`;
    expect(createHmac('sha256', fixture.secret).update(signingInput).digest('base64url')).toBe(vector.signature);
    // Only some vectors carry the token as printed; the others are assembled from their parts.
    if (vector.token !== undefined) expect(vector.token).toBe(`${signingInput}.${vector.signature}`);
  });

  it('twilio-node (the installed oracle) still produces it', () => {
    expect(twilioNodeToken(input)).toBe(expected);
  });

  it('grantor AccessToken.toJwt() produces it byte for byte', () => {
    expect(grantorAccessToken(input).toJwt()).toBe(expected);
  });

  it(vector.grants.length > 0 ? 'createSigner().sign() produces it, from grant objects and from a GrantsSpec' : 'createSigner().sign() refuses it: no product grant (NO_GRANTS)', () => {
    if (vector.grants.length === 0) {
      expectTokenError(() => grantorSign(input), 'NO_GRANTS', 20106);
      return;
    }
    expect(grantorSign(input, 'objects').token).toBe(expected);
    expect(grantorSign(input, 'spec').token).toBe(expected);
  });

  it('verifyAccessToken accepts it at the frozen time', () => {
    const { header, claims } = verifyAccessToken(expected, {
      accountSid: fixture.accountSid,
      keys: { sid: fixture.keySid, secret: fixture.secret },
      clock: () => fixture.clockMs,
    });
    expect(JSON.stringify(header)).toBe(vector.header);
    expect(JSON.stringify(claims)).toBe(vector.payload);
  });
});

describe.each(fixture.refusedAlgorithms)('refused algorithm vector: $name', (vector) => {
  const input = inputOf({ identity: vector.identity, grants: [] });
  const token = assemble(vector);

  it('twilio-node produces it', () => {
    expect(twilioNodeToken(input, vector.algorithm as 'HS512')).toBe(token);
  });

  it('grantor refuses to sign it: Twilio accepts HS256 only', () => {
    expectTokenError(() => grantorAccessToken(input).toJwt(vector.algorithm), 'UNSUPPORTED_ALGORITHM', 20102);
  });

  it('grantor refuses to verify it', () => {
    const keys = { sid: fixture.keySid, secret: fixture.secret };
    expectTokenError(() => verifyAccessToken(token, { accountSid: fixture.accountSid, keys, clock: () => fixture.clockMs }), 'UNSUPPORTED_ALGORITHM', 20102);
  });
});
