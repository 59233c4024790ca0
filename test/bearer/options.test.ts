// bearerUser's options: RFC 8725's choices cannot be configured away, and mistakes fail at start-up.
import { AccessTokenError, bearerUser, createFetchHandler } from '@grantor/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';

const valid = { issuer: 'https://example.eu.auth0.com/', audience: 'https://api.example.com' };

function refusal(options: unknown): string {
  try {
    bearerUser(options as Parameters<typeof bearerUser>[0]);
  } catch (error) {
    expect(error).toBeInstanceOf(AccessTokenError);
    expect((error as AccessTokenError).code).toBe('INVALID_OPTIONS');
    return (error as Error).message;
  }
  throw new Error(`bearerUser accepted ${JSON.stringify(options)}`);
}

describe('bearerUser options', () => {
  it('refuses none, HMAC and unknown algorithms, naming RFC 8725', () => {
    for (const algorithms of [['none'], ['HS256'], ['RS256', 'HS512'], ['RS1'], [], 'RS256']) {
      expect(refusal({ ...valid, algorithms })).toMatch(/algorithms must be .*RFC 8725/);
    }
  });

  it('requires an https issuer (http on loopback only) and an audience', () => {
    expect(refusal({ ...valid, issuer: 'http://idp.example.com' })).toMatch(/issuer must be/);
    expect(refusal({ ...valid, issuer: undefined })).toMatch(/issuer must be/);
    expect(refusal({ ...valid, audience: '' })).toMatch(/audience must be/);
    expect(refusal({ ...valid, audience: [] })).toMatch(/audience must be/);
    expect(refusal({ ...valid, jwksUri: 'http://idp.example.com/jwks' })).toMatch(/jwksUri must be/);
    expect(() => bearerUser({ ...valid, issuer: 'http://127.0.0.1:4000' })).not.toThrow();
  });

  it('bounds the clock tolerance and wants positive timings', () => {
    expect(refusal({ ...valid, clockTolerance: 301 })).toMatch(/clockTolerance must be .* 0 to 300/);
    expect(refusal({ ...valid, clockTolerance: -1 })).toMatch(/clockTolerance/);
    for (const name of ['fetchTimeout', 'cooldown', 'maxAge', 'retryAfter']) expect(refusal({ ...valid, [name]: 0 })).toMatch(name);
  });

  it('reads the Authorization header of every request shape the adapters pass, and answers 401 without one', async () => {
    // No provider is reachable at this issuer: a request that gets as far as fetching keys would be a 503.
    const getUser = bearerUser({ ...valid, issuer: 'http://127.0.0.1:9', fetchTimeout: 100 });
    const shapes = {
      'Web Request': (value: string) => new Request('http://x/', { headers: { authorization: value } }),
      'Node / Express req': (value: string) => ({ headers: { authorization: value } }),
      'Koa ctx': (value: string) => ({ headers: { authorization: value }, request: {} }),
      'Hono Context': (value: string) => ({ req: { raw: new Request('http://x/', { headers: { authorization: value } }) } }),
      'SvelteKit event / Twilio Functions event': (value: string) => ({ request: { headers: { authorization: value } } }),
    };
    for (const [shape, make] of Object.entries(shapes)) {
      await expect(getUser(make('Bearer a.b.c')), shape).rejects.toMatchObject({ code: 'INVALID_BEARER_TOKEN' });
      await expect(getUser(make('Basic YTpi')), shape).rejects.toMatchObject({ code: 'UNAUTHENTICATED', headers: { 'www-authenticate': 'Bearer' } });
    }
    await expect(getUser({})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // And a real Hono Context, as @grantor/hono hands it to getUser.
    const app = new Hono();
    app.post('/', (c) =>
      getUser(c).then(
        () => c.text('user'),
        (error: { code: string }) => c.text(error.code),
      ),
    );
    const answers = await Promise.all(
      ['Bearer a.b.c', 'Basic YTpi'].map((authorization) =>
        Promise.resolve(app.request('/', { method: 'POST', headers: { authorization } })).then((response) => response.text()),
      ),
    );
    expect(answers).toEqual(['INVALID_BEARER_TOKEN', 'UNAUTHENTICATED']);
  });

  it("sends the 503's cause to onError and the 401's reason to onDenied, never to the client", async () => {
    const errors: unknown[] = [];
    const denied: string[] = [];
    const route = createFetchHandler({
      credentials: { accountSid: `AC${'a'.repeat(32)}`, keys: { sid: `SK${'b'.repeat(32)}`, secret: 's' } },
      getUser: bearerUser({ ...valid, issuer: 'http://127.0.0.1:9', fetchTimeout: 100 }),
      policy: () => ({ grants: { video: {} } }),
      onError: (error) => void errors.push(error),
      onDenied: ({ code }) => void denied.push(code),
    });
    // A well-formed token header, so that verification gets as far as the (unreachable) keys.
    const token = `${btoa(JSON.stringify({ alg: 'RS256', kid: 'k' })).replace(/=+$/, '')}.${btoa('{}').replace(/=+$/, '')}.c2ln`;
    const post = (authorization: string) =>
      route(new Request('http://x/api/token', { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: '{}' }));
    const unavailable = await post(`Bearer ${token}`);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('5');
    const body = await unavailable.text();
    expect(body).not.toContain('127.0.0.1');
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toMatch(/fetch failed|openid-configuration/);
    expect((await post('Bearer x.y.z')).status).toBe(401);
    expect(denied).toEqual(['INVALID_BEARER_TOKEN']);
  });
});
