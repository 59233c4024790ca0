/**
 * Golden vectors: exact tokens twilio-node 6.2.0 produced under a frozen clock (golden-vectors.json).
 * grantor must reproduce them byte for byte, through the drop-in AccessToken and through the signer,
 * on every runtime (test/runtimes): the fixture and twilio-node are checked once, here on Node.
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InspectionResult, Outcome } from '../runtimes/calls.js';
import { describeEachRuntime, expectTokenErrorOutcome, valueOf } from '../runtimes/each-runtime.js';
import fixture from './golden-vectors.json';
import { accessTokenCall, type GrantDraft, signCall, type TokenInput, tokenOutcome, twilioNodeToken } from './mint.js';

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
const assemble = (vector: Pick<Vector, 'header' | 'payload' | 'signature'>) => `${base64url(vector.header)}.${base64url(vector.payload)}.${vector.signature}`;

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

const verifyCall = (token: string) =>
  ({
    op: 'verify',
    token,
    options: { accountSid: fixture.accountSid, keys: { sid: fixture.keySid, secret: fixture.secret } },
    clockMs: fixture.clockMs,
  }) as const;

describe('the fixture and the oracle', () => {
  beforeEach(() => {
    vi.spyOn(Date, 'now').mockReturnValue(fixture.clockMs);
  });
  afterEach(() => vi.restoreAllMocks());

  describe.each(vectors)('golden vector: $name', (vector) => {
    it('the fixture is self-consistent: the signature is node:crypto HMAC-SHA256 of header.payload with the secret, and the parts make the printed token', () => {
      const signingInput = `${base64url(vector.header)}.${base64url(vector.payload)}`;
      expect(createHmac('sha256', fixture.secret).update(signingInput).digest('base64url')).toBe(vector.signature);
      // Only some vectors carry the token as printed; the others are assembled from their parts.
      if (vector.token !== undefined) expect(vector.token).toBe(`${signingInput}.${vector.signature}`);
    });

    it('twilio-node (the installed oracle) still produces it', () => {
      expect(twilioNodeToken(inputOf(vector))).toBe(vector.token ?? assemble(vector));
    });
  });

  describe.each(fixture.refusedAlgorithms)('refused algorithm vector: $name', (vector) => {
    it('twilio-node produces it', () => {
      expect(twilioNodeToken(inputOf({ identity: vector.identity, grants: [] }), vector.algorithm as 'HS512')).toBe(assemble(vector));
    });
  });
});

describeEachRuntime('golden vectors', (grantor) => {
  describe.each(vectors)('golden vector: $name', (vector) => {
    const expected = vector.token ?? assemble(vector);
    const input = inputOf(vector);

    it('grantor AccessToken.toJwt() produces it byte for byte', async () => {
      expect(valueOf(tokenOutcome(await grantor.outcome(accessTokenCall(input))))).toBe(expected);
    });

    it(
      vector.grants.length > 0
        ? 'createSigner().sign() produces it, from grant objects and from a GrantsSpec'
        : 'createSigner().sign() refuses it: no product grant (NO_GRANTS)',
      async () => {
        const [objects, spec] = await grantor.run([signCall(input, 'objects'), signCall(input, 'spec')]);
        if (vector.grants.length === 0) {
          expectTokenErrorOutcome(objects!, 'NO_GRANTS', 20106);
          return;
        }
        expect(valueOf(objects as { value: { token: string } }).token).toBe(expected);
        expect(valueOf(spec as { value: { token: string } }).token).toBe(expected);
      },
    );

    it('verifyAccessToken accepts it at the frozen time', async () => {
      const { header, claims } = await grantor.value<{ header: object; claims: object }>(verifyCall(expected));
      expect(JSON.stringify(header)).toBe(vector.header);
      expect(JSON.stringify(claims)).toBe(vector.payload);
    });

    it('decodeAccessToken reads it, and inspectAccessToken with another secret finds only INVALID_SIGNATURE', async () => {
      const [decoded, inspection] = await grantor.run([
        { op: 'decode', token: expected },
        { op: 'inspect', token: expected, options: { keys: { sid: fixture.keySid, secret: `${fixture.secret}-other` } }, clockMs: fixture.clockMs },
      ]);
      const { header, claims } = valueOf(decoded as Outcome<{ header: object; claims: object }>);
      expect([JSON.stringify(header), JSON.stringify(claims)]).toEqual([vector.header, vector.payload]);
      const { problems, signatureChecked } = valueOf(inspection as Outcome<InspectionResult>);
      expect(signatureChecked).toBe(true);
      expect(problems.map((problem) => problem.code)).toEqual(['INVALID_SIGNATURE']);
    });
  });

  describe.each(fixture.refusedAlgorithms)('refused algorithm vector: $name', (vector) => {
    const input = inputOf({ identity: vector.identity, grants: [] });
    const token = assemble(vector);

    it('grantor refuses to sign it: Twilio accepts HS256 only', async () => {
      expectTokenErrorOutcome(tokenOutcome(await grantor.outcome(accessTokenCall(input, 'grantor', vector.algorithm))), 'UNSUPPORTED_ALGORITHM', 20102);
    });

    it('grantor refuses to verify it', async () => {
      expectTokenErrorOutcome(await grantor.outcome(verifyCall(token)), 'UNSUPPORTED_ALGORITHM', 20102);
    });
  });
});
