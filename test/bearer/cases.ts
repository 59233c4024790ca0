// The bearer-token cases against a real OpenID Provider, run the same way on Node and in workerd:
// `post(authorization, settings?)` asks the token route of the runtime under test.
import { createHmac } from 'node:crypto';
import { decodeJwt } from 'jose';
import { expect, it } from 'vitest';
import { AUDIENCE, signingKey, startProvider, SUBJECT, type TestProvider } from './provider.js';

export const CREDENTIALS = {
  accountSid: `AC${'a'.repeat(32)}`,
  keys: { sid: `SK${'b'.repeat(32)}`, secret: 'bearer-test-secret' },
};

/** The route's settings a case may change: the bearerUser options that are data. */
export interface BearerSettings {
  issuer: string;
  audience: string;
  fetchTimeout?: number;
  cooldown?: number;
  retryAfter?: number;
}

export interface RouteAnswer {
  status: number;
  headers: Headers;
  body: { token?: string; identity?: string; error?: { code: string; message: string } };
}

/** A token route whose getUser is bearerUser(settings) and whose identity is voiceIdentity(user.id), with a Voice grant. */
export type AskRoute = (authorization: string | undefined, settings: BearerSettings) => Promise<RouteAnswer>;

/** The route of a worker served over HTTP at `url()`: the bearerUser settings go in a header (see worker.ts). */
export function askOverHttp(url: () => string): AskRoute {
  return async (authorization, settings) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-bearer-settings': JSON.stringify(settings) };
    if (authorization) headers.authorization = authorization;
    const response = await fetch(url(), { method: 'POST', headers, body: '{}' });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
}

export interface BearerCasesContext {
  provider: () => TestProvider;
  ask: AskRoute;
}

const bearer = (token: string) => `Bearer ${token}`;
/** bearerUser's default `cooldown` (packages/core/src/bearer/index.ts), in ms. */
const JWKS_COOLDOWN_MS = 30_000;

/** A new issuer on the same provider server would share its key cache: each case that counts or breaks fetches gets its own provider. */
async function withProvider<T>(run: (provider: TestProvider) => Promise<T>): Promise<T> {
  const provider = await startProvider();
  try {
    return await run(provider);
  } finally {
    await provider.close();
  }
}

function expectInvalidToken(answer: RouteAnswer, code = 'INVALID_BEARER_TOKEN'): void {
  expect({ status: answer.status, code: answer.body.error?.code, token: answer.body.token }).toEqual({ status: 401, code, token: undefined });
  expect(answer.headers.get('www-authenticate')).toBe(code === 'UNAUTHENTICATED' ? 'Bearer' : 'Bearer error="invalid_token"');
  expect(answer.headers.get('cache-control')).toBe('no-store');
}

export function bearerCases({ provider, ask }: BearerCasesContext): void {
  const settings = (): BearerSettings => ({ issuer: provider().issuer, audience: AUDIENCE });

  it("discovers the JWKS and issues a token whose identity comes from the subject of the provider's own token", async () => {
    const token = await provider().issueToken();
    expect(decodeJwt(token).sub).toBe(SUBJECT);
    const answer = await ask(bearer(token), settings());
    expect(answer.status).toBe(200);
    // voiceIdentity: `|` and `-` escaped, so the Voice grant accepts it.
    expect(answer.body.identity).toBe('google_2doauth2_7c1057');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(decodeJwt(answer.body.token!).grants).toMatchObject({ identity: 'google_2doauth2_7c1057', voice: {} });
  });

  it('answers 401 with WWW-Authenticate: Bearer and no error code when there is no bearer token (RFC 6750 §3.1)', async () => {
    expectInvalidToken(await ask(undefined, settings()), 'UNAUTHENTICATED');
    expectInvalidToken(await ask('Basic YWxpY2U6cGFzcw==', settings()), 'UNAUTHENTICATED');
  });

  // Each with the reason it must be refused for, so a case cannot pass by failing for another.
  const refused: [string, string, () => Promise<string>][] = [
    ['an expired token', 'has expired', () => provider().sign({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ['a token not yet valid', 'not valid yet', () => provider().sign({ nbf: Math.floor(Date.now() / 1000) + 600 })],
    ['a token without exp', '"exp" claim', () => provider().sign({ exp: undefined })],
    ['a token of another issuer', '"iss" claim', () => provider().sign({ iss: 'https://evil.example' })],
    ['a token for another audience', '"aud" claim', () => provider().sign({ aud: 'https://other-api.example' })],
    ['a token without audience', '"aud" claim', () => provider().sign({ aud: undefined })],
    ['a token without subject', '"sub" claim', () => provider().sign({ sub: undefined })],
    [
      'alg: none',
      'algorithm is not accepted',
      async () => {
        const [header, payload] = (await provider().sign()).split('.');
        const none = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header!, 'base64url').toString()), alg: 'none' })).toString('base64url');
        return `${none}.${payload}.`;
      },
    ],
    [
      "HS256 keyed with the provider's public key",
      'algorithm is not accepted',
      async () => {
        const { publicJwk, kid } = provider().keys[0]!;
        const now = Math.floor(Date.now() / 1000);
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        const input = `${part({ alg: 'HS256', typ: 'JWT', kid })}.${part({ iss: provider().issuer, sub: SUBJECT, aud: AUDIENCE, exp: now + 300 })}`;
        // The classic confusion attack: the verifier's public key, as the attacker can read it from the JWKS, used as an HMAC secret.
        return `${input}.${createHmac('sha256', JSON.stringify(publicJwk)).update(input).digest('base64url')}`;
      },
    ],
    [
      'a token whose kid the provider does not publish',
      'not signed by a key',
      async () => provider().sign({}, { kid: 'made-up' }, await signingKey('made-up')),
    ],
    [
      'a tampered payload',
      'signature does not verify',
      async () => {
        const [header, payload, signature] = (await provider().issueToken()).split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
        return `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url')}.${signature}`;
      },
    ],
    [
      "a signature of another key under the provider's kid",
      'signature does not verify',
      async () => provider().sign({}, {}, { ...(await signingKey(provider().keys[0]!.kid)) }),
    ],
    [
      'a token of another OpenID Provider for the same audience',
      'signature does not verify',
      async () => {
        const other = await startProvider();
        try {
          return await other.issueToken();
        } finally {
          await other.close();
        }
      },
    ],
    ['not a JWT', 'malformed', async () => 'not.a.jwt'],
  ];
  for (const [name, reason, make] of refused) {
    it(`answers 401 INVALID_BEARER_TOKEN with WWW-Authenticate: Bearer error="invalid_token" for ${name}`, async () => {
      const answer = await ask(bearer(await make()), settings());
      expectInvalidToken(answer);
      expect(answer.body.error?.message).toContain(reason);
    });
  }

  it('follows a key rotation: a token of the new key is verified after one refetch, the old key keeps working while published', async () => {
    await withProvider(async (rotating) => {
      const options = { issuer: rotating.issuer, audience: AUDIENCE, cooldown: 0.2 };
      const old = await rotating.issueToken();
      expect((await ask(bearer(old), options)).status).toBe(200);
      expect(rotating.jwksFetches).toBe(1);

      const [oldKey] = rotating.keys;
      rotating.rotate([await signingKey('key-2'), oldKey!]);
      await new Promise((resolve) => setTimeout(resolve, 250)); // the unknown-kid cooldown
      const renewed = await rotating.issueToken();
      expect((await ask(bearer(renewed), options)).status).toBe(200);
      expect(rotating.jwksFetches).toBe(2);
      expect((await ask(bearer(old), options)).status).toBe(200);
      expect(rotating.jwksFetches).toBe(2);

      // The old key retired: its tokens fail once the JWKS is fetched again (here: an unknown kid after the cooldown).
      rotating.rotate([rotating.keys[0]!]);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect((await ask(bearer(await rotating.sign({}, { kid: 'key-3' }, await signingKey('key-3'))), options)).status).toBe(401);
      expect(rotating.jwksFetches).toBe(3);
      expectInvalidToken(await ask(bearer(old), options));
    });
  });

  it('answers 503 with Retry-After, within the fetch timeout, when the JWKS is down or slow, and recovers', async () => {
    for (const mode of ['down', 'slow'] as const) {
      await withProvider(async (failing) => {
        const options = { issuer: failing.issuer, audience: AUDIENCE, fetchTimeout: 500, retryAfter: 1 };
        failing.jwksMode = mode;
        const token = await failing.issueToken();
        const started = Date.now();
        const answer = await ask(bearer(token), options);
        const elapsed = Date.now() - started;
        expect({ mode, status: answer.status, code: answer.body.error?.code, retryAfter: answer.headers.get('retry-after') }).toEqual({
          mode,
          status: 503,
          code: 'IDENTITY_PROVIDER_UNAVAILABLE',
          retryAfter: '1',
        });
        expect(answer.headers.get('cache-control')).toBe('no-store');
        // A hung JWKS never hangs the route: the fetch timeout (500 ms) bounds it, with slack for a loaded machine.
        expect(elapsed).toBeLessThan(500 + 2500);
        // Within Retry-After, no new fetch: the outage costs the provider nothing more.
        const fetches = failing.jwksFetches;
        expect((await ask(bearer(token), options)).status).toBe(503);
        expect(failing.jwksFetches).toBe(fetches);

        failing.jwksMode = 'up';
        await new Promise((resolve) => setTimeout(resolve, 1100));
        expect((await ask(bearer(token), options)).status).toBe(200);
      });
    }
  });

  it('fetches the JWKS once for 1,000 requests with random kids (at most one refetch per cooldown)', async () => {
    await withProvider(async (flooded) => {
      const options = { issuer: flooded.issuer, audience: AUDIENCE }; // the default cooldown, 30 s
      const attacker = await signingKey('attacker');
      const statuses = new Map<number, number>();
      const started = Date.now();
      for (let batch = 0; batch < 10; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 100 }, async () => {
            const kid = crypto.randomUUID();
            return (await ask(bearer(await flooded.sign({}, { kid }, { ...attacker, kid })), options)).status;
          }),
        );
        for (const status of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      expect(Object.fromEntries(statuses)).toEqual({ 401: 1000 });
      // One fetch, and one more per cooldown the flood lasted: a slow machine may take longer than one.
      const allowed = 1 + Math.floor((Date.now() - started) / JWKS_COOLDOWN_MS);
      expect(flooded.jwksFetches).toBeGreaterThanOrEqual(1);
      expect(flooded.jwksFetches).toBeLessThanOrEqual(allowed);
      const fetches = flooded.jwksFetches;
      // And the provider's own tokens still pass, with no fetch more.
      expect((await ask(bearer(await flooded.issueToken()), options)).status).toBe(200);
      expect(flooded.jwksFetches).toBe(fetches);
    });
  }, 120_000); // 1,000 tokens signed and sent: seconds on a quiet machine, far more on a busy one
}
