// bearerUser's answers through every Node adapter (Express, Koa, Next App and Pages Routers, Fastify,
// and Express/Koa behind an app-wide body parser): the token, the two 401s with their
// WWW-Authenticate and no-store, and the 503 with Retry-After. The workerd routes answer the same
// cases in workerd.test.ts. The test's user lookup gets the `x-test-user` header: here, the bearer token.
import { bearerUser, voiceIdentity } from '@grantor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTER_TITLES, ADAPTERS, APP_PARSER_ADAPTERS, type MountedAdapter, mountAdapter } from '../support/adapters.js';
import { CREDENTIALS } from './cases.js';
import { AUDIENCE, startProvider, type TestProvider } from './provider.js';

let provider: TestProvider;
beforeAll(async () => {
  provider = await startProvider();
});
afterAll(() => provider?.close());

for (const name of [...ADAPTERS, ...APP_PARSER_ADAPTERS]) {
  describe(ADAPTER_TITLES[name], () => {
    let adapter: MountedAdapter<typeof name>;
    beforeAll(async () => {
      const fromProvider = bearerUser({ issuer: provider.issuer, audience: AUDIENCE });
      // A provider nobody answers for: its keys cannot be fetched.
      const fromDeadProvider = bearerUser({ issuer: 'http://127.0.0.1:9', audience: AUDIENCE, fetchTimeout: 500 });
      const userOf = (header: string | null | undefined) => {
        const [which, token] = (header ?? '').split(' ');
        const request = { headers: { authorization: token ? `Bearer ${token}` : undefined } };
        return which === 'dead' ? fromDeadProvider(request) : fromProvider(request);
      };
      adapter = await mountAdapter(
        name,
        { credentials: CREDENTIALS, identity: (user: { id: string }) => voiceIdentity(user.id), policy: () => ({ grants: { voice: {} } }), onError: () => {} },
        userOf as never,
      );
    });
    afterAll(() => adapter?.close());

    const ask = async (testUser?: string) => {
      const response = await fetch(`${adapter.url}/api/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(testUser ? { 'x-test-user': testUser } : {}) },
        body: '{}',
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as { identity?: string; error?: { code: string } } };
    };

    it("200 for the provider's token; 401 with WWW-Authenticate and no-store without one or for an expired one; 503 with Retry-After when the keys are out of reach", async () => {
      const valid = await ask(`live ${await provider.issueToken()}`);
      expect([valid.status, valid.body.identity]).toEqual([200, 'google_2doauth2_7c1057']);
      const answers = {
        none: await ask(),
        expired: await ask(`live ${await provider.sign({ exp: Math.floor(Date.now() / 1000) - 60 })}`),
        unreachable: await ask(`dead ${await provider.sign()}`),
      };
      const seen = Object.fromEntries(
        Object.entries(answers).map(([key, answer]) => [
          key,
          [
            answer.status,
            answer.body.error?.code,
            answer.headers.get('www-authenticate'),
            answer.headers.get('retry-after'),
            answer.headers.get('cache-control'),
          ],
        ]),
      );
      expect(seen).toEqual({
        none: [401, 'UNAUTHENTICATED', 'Bearer', null, 'no-store'],
        expired: [401, 'INVALID_BEARER_TOKEN', 'Bearer error="invalid_token"', null, 'no-store'],
        // The keys of an issuer are shared by the whole process: the adapters after the first get the
        // rest of the same outage's Retry-After, without a new fetch.
        unreachable: [503, 'IDENTITY_PROVIDER_UNAVAILABLE', null, expect.stringMatching(/^[1-5]$/), 'no-store'],
      });
    });
  });
}
