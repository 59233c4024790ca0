// bearerUser's own JWS checks, with each of core's two crypto implementations (node:crypto on Node,
// Bun and Deno; WebCrypto on Workers and Edge): every algorithm it accepts, and the tokens RFC 7515,
// 7519 and 8725 refuse that a provider's real tokens (test/bearer/cases.ts) do not reach. The keys are
// published by a loopback JWKS, one per algorithm (kid = alg), plus an RSA key too short to trust.
import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BearerAlgorithm } from '../../packages/core/src/bearer/index.js';

const AUDIENCE = 'https://api.grantor.test';

/** How node:crypto signs each algorithm: key, hash and options. */
const SIGNERS: Record<string, { privateKey: KeyObject; publicKey: KeyObject; hash: string | null; options: object; alg: string }> = {};
const rsa = (bits = 2048) => generateKeyPairSync('rsa', { modulusLength: bits });
const pss = (saltLength: number) => ({ padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
const p1363 = { dsaEncoding: 'ieee-p1363' };
for (const [alg, pair, hash, options] of [
  ['RS256', rsa(), 'sha256', {}],
  ['RS384', rsa(), 'sha384', {}],
  ['RS512', rsa(), 'sha512', {}],
  ['PS256', rsa(), 'sha256', pss(32)],
  ['PS384', rsa(), 'sha384', pss(48)],
  ['PS512', rsa(), 'sha512', pss(64)],
  ['ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'sha256', p1363],
  ['ES384', generateKeyPairSync('ec', { namedCurve: 'P-384' }), 'sha384', p1363],
  ['ES512', generateKeyPairSync('ec', { namedCurve: 'P-521' }), 'sha512', p1363],
  ['EdDSA', generateKeyPairSync('ed25519'), null, {}],
  ['Ed25519', generateKeyPairSync('ed25519'), null, {}],
] as const) {
  SIGNERS[alg] = { ...pair, hash, options, alg };
}
// An RSA key below RFC 7518 §3.3's 2048 bits, published for RS256.
SIGNERS.short = { ...rsa(1024), hash: 'sha256', options: {}, alg: 'RS256' };

const part = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

let issuer: string;
let server: ReturnType<typeof createServer>;

/** A token signed with the key `kid` (its algorithm unless the header says otherwise); claims over valid defaults. */
function token({ kid = 'ES256', header = {}, claims = {}, payload }: { kid?: string; header?: object; claims?: object; payload?: string } = {}): string {
  const signer = SIGNERS[kid]!;
  const now = Math.floor(Date.now() / 1000);
  const body = payload ?? part({ iss: issuer, sub: 'user-1', aud: AUDIENCE, iat: now, exp: now + 300, ...claims });
  const input = `${part({ alg: signer.alg, kid, typ: 'at+jwt', ...header })}.${body}`;
  return `${input}.${sign(signer.hash, Buffer.from(input), { key: signer.privateKey, ...signer.options }).toString('base64url')}`;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const body =
      request.url === '/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/jwks` }
        : { keys: Object.entries(SIGNERS).map(([kid, { publicKey, alg }]) => ({ ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' })) };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Core's bearer module as a runtime with or without node:crypto loads it (its crypto is chosen on first use). */
async function bearerModule(runtime: 'node:crypto' | 'portable') {
  vi.resetModules();
  const original = process.getBuiltinModule;
  if (runtime === 'portable') {
    process.getBuiltinModule = (() => {
      throw new Error('no node:crypto here');
    }) as typeof process.getBuiltinModule;
  }
  try {
    const [bearer, { cryptoRuntime }] = await Promise.all([import('../../packages/core/src/bearer/index.js'), import('../../packages/core/src/runtime.js')]);
    expect(cryptoRuntime.name).toBe(runtime);
    return bearer;
  } finally {
    process.getBuiltinModule = original;
  }
}

for (const runtime of ['node:crypto', 'portable'] as const) {
  describe(`bearerUser's JWS checks with ${runtime}`, () => {
    let bearer: Awaited<ReturnType<typeof bearerModule>>;
    beforeAll(async () => {
      bearer = await bearerModule(runtime);
    });
    const userOf = (jwt: string, algorithms?: BearerAlgorithm[]) =>
      bearer.bearerUser({ issuer, audience: AUDIENCE, ...(algorithms && { algorithms }) })({ headers: { authorization: `Bearer ${jwt}` } });
    const refusal = async (jwt: string, algorithms?: BearerAlgorithm[]) => {
      const error = await userOf(jwt, algorithms).then(
        () => undefined,
        (failure: { code: string; message: string }) => failure,
      );
      expect(error?.code).toBe('INVALID_BEARER_TOKEN');
      return error!.message;
    };

    it('accepts a token of every algorithm it can be allowed, and only those allowed (RS256, PS256, ES256, EdDSA, Ed25519 by default)', async () => {
      for (const alg of bearer.BEARER_ALGORITHMS) {
        expect((await userOf(token({ kid: alg }), [alg])).id, alg).toBe('user-1');
        const byDefault = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'].includes(alg);
        if (byDefault) expect((await userOf(token({ kid: alg }))).id, alg).toBe('user-1');
        else expect(await refusal(token({ kid: alg })), alg).toContain('algorithm is not accepted');
      }
    });

    it("refuses a signature by another algorithm's key or over other bytes, and an RSA key under 2048 bits", async () => {
      // An ES256 token whose header names the RS256 key: that key is not for ES256 (jose's key selection).
      expect(await refusal(token({ kid: 'ES256', header: { kid: 'RS256' } }))).toContain('not signed by a key');
      const [header, payload, signature] = token({ kid: 'PS256' }).split('.');
      expect(await refusal(`${header}.${payload}.${signature!.slice(0, -2)}`)).toContain('signature does not verify');
      expect(await refusal(`${header}.${payload}.${signature}AA`)).toContain('signature does not verify');
      expect(await refusal(`${header}.${payload}x.${signature}`)).toContain('signature does not verify');
      expect(await refusal(token({ kid: 'short' }))).toContain('shorter than 2048 bits');
    });

    it('refuses what is not a compact JWS of JSON objects, and critical header extensions', async () => {
      const valid = token();
      const [header, payload, signature] = valid.split('.');
      for (const malformed of [
        `${header}.${payload}`,
        `${valid}.${signature}`,
        `${header}.${payload}.${signature!.slice(0, 10)}+${signature!.slice(11)}`,
        `${part('[1]')}.${payload}.${signature}`,
        `${part({ kid: 'ES256' })}.${payload}.${signature}`,
        token({ header: { crit: ['exp'], exp: 1 } }),
        token({ header: { crit: ['b64'], b64: false } }),
        token({ payload: part('[{"sub":"user-1"}]') }),
        token({ payload: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url') }),
      ]) {
        expect(await refusal(malformed), malformed).toContain('malformed');
      }
    });

    it('checks the claims: issuer, audience (one of a list), a numeric iat, nbf and exp with the clock tolerance', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect((await userOf(token({ claims: { aud: ['https://other.example', AUDIENCE] } }))).id).toBe('user-1');
      expect((await userOf(token({ claims: { exp: now - 2, nbf: now + 2 } }))).id).toBe('user-1'); // within the default 5 s
      expect(await refusal(token({ claims: { aud: ['https://other.example'] } })))?.toContain('"aud" claim');
      expect(await refusal(token({ claims: { iss: `${issuer}/` } }))).toContain('"iss" claim');
      expect(await refusal(token({ claims: { iat: 'yesterday' } }))).toContain('"iat" claim');
      expect(await refusal(token({ claims: { exp: String(now + 300) } }))).toContain('"exp" claim');
      expect(await refusal(token({ claims: { exp: now - 6 } }))).toContain('has expired');
      expect(await refusal(token({ claims: { nbf: now + 6 } }))).toContain('not valid yet');
    });
  });
}
