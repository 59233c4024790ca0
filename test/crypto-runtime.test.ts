// The two crypto implementations: node:crypto (Node, Bun, Deno) and the portable one (Workers, Vercel Edge).
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  cryptoRuntime,
  JWS_SIGNATURES,
  type JwsSignatureAlgorithm,
  nodeCryptoRuntime,
  portableRuntime,
  timingSafeEqualStrings,
} from '../packages/core/src/runtime.js';

const node = nodeCryptoRuntime()!;

describe('the crypto runtimes', () => {
  it('uses node:crypto on Node', () => {
    expect(cryptoRuntime.name).toBe('node:crypto');
  });

  it("falls back to the portable one where process.getBuiltinModule throws, as in Next.js's Edge sandbox", async () => {
    const original = process.getBuiltinModule;
    process.getBuiltinModule = (() => {
      throw new Error('A Node.js API is used (process.getBuiltinModule) which is not supported in the Edge Runtime.');
    }) as typeof process.getBuiltinModule;
    try {
      vi.resetModules();
      const fresh = await import('../packages/core/src/runtime.js');
      expect(fresh.cryptoRuntime.name).toBe('portable');
      expect(fresh.nodeCryptoRuntime()).toBeUndefined();
    } finally {
      process.getBuiltinModule = original;
    }
  });

  it('agree on base64url for any text, including astral and lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(portableRuntime.encode(text)).toBe(node.encode(text));
        expect(portableRuntime.encode(text)).toBe(Buffer.from(text).toString('base64url'));
      }),
      { numRuns: 2000 },
    );
  });

  it('decode what the other encoded, at every length modulo 3, and replace bad UTF-8 alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const encoded = Buffer.from(bytes).toString('base64url');
        const expected = new TextDecoder().decode(bytes);
        expect(portableRuntime.decodeText(encoded)).toBe(expected);
        expect(node.decodeText(encoded)).toBe(expected);
        expect(portableRuntime.decodeBytes(encoded)).toEqual(bytes);
        expect(new Uint8Array(node.decodeBytes(encoded))).toEqual(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('sign as createHmac does, for any secret and input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 600 }), (secret, input) => {
        const expected = createHmac('sha256', secret).update(input).digest('base64url');
        expect(portableRuntime.hmacSigner(secret)(input)).toBe(expected);
        expect(node.hmacSigner(secret)(input)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reuse a prepared secret without one signature changing the next', () => {
    const sign = portableRuntime.hmacSigner('secret');
    const first = sign('a.b');
    sign('something else entirely');
    expect(sign('a.b')).toBe(first);
  });

  it('compare signatures exactly', () => {
    expect(timingSafeEqualStrings('abc', 'abc')).toBe(true);
    expect(timingSafeEqualStrings('abc', 'abd')).toBe(false);
    expect(timingSafeEqualStrings('abc', 'abcd')).toBe(false);
    expect(timingSafeEqualStrings('', '')).toBe(true);
  });

  describe('check JWS signatures alike, for every asymmetric algorithm', async () => {
    /** WebCrypto's names for each algorithm's keys and signatures (jose imports a provider's keys with the same). */
    const webCrypto = (alg: JwsSignatureAlgorithm) => {
      const { scheme, bits } = JWS_SIGNATURES[alg];
      const hash = `SHA-${bits}`;
      const rsa = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash };
      if (scheme === 'pkcs1') return { key: { name: 'RSASSA-PKCS1-v1_5', ...rsa }, sign: { name: 'RSASSA-PKCS1-v1_5' } };
      if (scheme === 'pss') return { key: { name: 'RSA-PSS', ...rsa }, sign: { name: 'RSA-PSS', saltLength: bits / 8 } };
      if (scheme === 'ecdsa') return { key: { name: 'ECDSA', namedCurve: { 256: 'P-256', 384: 'P-384', 512: 'P-521' }[bits] }, sign: { name: 'ECDSA', hash } };
      return { key: { name: 'Ed25519' }, sign: { name: 'Ed25519' } };
    };
    const keys = Object.fromEntries(
      await Promise.all(
        Object.keys(JWS_SIGNATURES).map(async (alg) => {
          const { key, sign } = webCrypto(alg as JwsSignatureAlgorithm);
          const pair = (await crypto.subtle.generateKey(key, true, ['sign', 'verify'])) as CryptoKeyPair;
          // The public key as jose's key set imports it: from the JWK, for this algorithm.
          const publicKey = await crypto.subtle.importKey('jwk', await crypto.subtle.exportKey('jwk', pair.publicKey), key, true, ['verify']);
          return [alg, { publicKey, signer: (input: Uint8Array) => crypto.subtle.sign(sign, pair.privateKey, input as Uint8Array<ArrayBuffer>) }];
        }),
      ),
    );

    for (const alg of Object.keys(JWS_SIGNATURES) as JwsSignatureAlgorithm[]) {
      it(`${alg}: a signature verifies, and a changed input, a changed, cut or lengthened signature does not`, async () => {
        const { publicKey, signer } = keys[alg]!;
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.nat(), async (input, at) => {
            const signature = new Uint8Array(await signer(input));
            const changedInput = input.slice();
            changedInput[at % input.length]! ^= 1;
            const changedSignature = signature.slice();
            changedSignature[at % signature.length]! ^= 1;
            const cases: [Uint8Array, Uint8Array, boolean][] = [
              [signature, input, true],
              [signature, changedInput, false],
              [changedSignature, input, false],
              [signature.slice(0, -1), input, false],
              [new Uint8Array([...signature, 0]), input, false],
            ];
            for (const [candidate, data, expected] of cases) {
              expect(await node.verifySignature(alg, publicKey, candidate, data)).toBe(expected);
              expect(await portableRuntime.verifySignature(alg, publicKey, candidate, data)).toBe(expected);
            }
          }),
          { numRuns: 15 },
        );
      });
    }

    it("falls back to WebCrypto where node:crypto's verify takes no KeyObject with options (workerd's nodejs_compat)", async () => {
      const original = process.getBuiltinModule;
      const realCrypto = original('node:crypto');
      const calls: unknown[] = [];
      process.getBuiltinModule = ((id: string) =>
        id === 'node:crypto'
          ? {
              ...realCrypto,
              verify: (...args: Parameters<typeof realCrypto.verify>) => {
                calls.push(args[2]);
                if (!(args[2] instanceof realCrypto.KeyObject)) throw new TypeError('The "options.key" property must be of type string');
                return realCrypto.verify(...args);
              },
            }
          : original(id)) as typeof process.getBuiltinModule;
      try {
        vi.resetModules();
        const partial = (await import('../packages/core/src/runtime.js')).nodeCryptoRuntime()!;
        for (const alg of ['ES256', 'PS256', 'EdDSA'] as const) {
          const input = new TextEncoder().encode(`signed with ${alg}`);
          const signature = new Uint8Array(await keys[alg]!.signer(input));
          expect(await partial.verifySignature(alg, keys[alg]!.publicKey, signature, input)).toBe(true);
          signature[0]! ^= 1;
          expect(await partial.verifySignature(alg, keys[alg]!.publicKey, signature, input)).toBe(false);
        }
        // ES256 and PS256 went through the failing call to WebCrypto; Ed25519 (a bare KeyObject) stayed on node:crypto.
        expect(calls).toHaveLength(6);
      } finally {
        process.getBuiltinModule = original;
      }
    });
  });
});
