// The checks every host app of a framework that owns the request (Fastify, Nest) runs on its token
// route, whatever its login: alice (id 1) is a host, bob (id 2) a guest the policy keeps to the lobby.
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { expectGrantorError, expectToken, statusesForMalformedHosts } from './grantor.js';
import type { Answer } from './http.js';

export type Who = 'alice' | 'bob' | null;

export interface TokenRouteTarget {
  /** The app's base URL. */
  url: string;
  /** The token route's path. */
  path: string;
  /** POSTs `body` to the token route as `who` (null: nobody logged in), with `headers`. */
  post(who: Who, body: string | Buffer, headers?: Record<string, string>): Promise<Answer>;
  /** The headers that log `who` in (a session cookie, a bearer token), for a raw request. */
  authHeaders(who: Exclude<Who, null>): Promise<[string, string][]>;
  /** Everything the app wrote to stdout and stderr so far. */
  output(): string;
}

const JSON_TYPE = { 'content-type': 'application/json' };

export function describeTokenRouteChecks(target: () => TokenRouteTarget): void {
  it("issues a token for the logged-in user's id, whatever identity the body names", async () => {
    const grants = expectToken(await target().post('alice', '{"room":"standup","identity":"admin"}', JSON_TYPE), '1');
    expect(grants).toMatchObject({ identity: '1', video: { room: 'standup' } });
    expect(expectToken(await target().post('bob', '{"room":"lobby"}', JSON_TYPE), '2')).toMatchObject({ video: { room: 'lobby' } });
  });

  it("answers nobody logged in with grantor's 401 and a policy refusal with its 403", async () => {
    expectGrantorError(await target().post(null, '{"room":"lobby"}', JSON_TYPE), 401, 'UNAUTHENTICATED');
    expectGrantorError(await target().post('bob', '{"room":"standup"}', JSON_TYPE), 403, 'FORBIDDEN');
  });

  it("gives the contract's answers to invalid JSON, a form, an empty JSON body, gzip and a non-UTF-8 charset", async () => {
    const { post } = target();
    expectGrantorError(await post('alice', '{"room":', JSON_TYPE), 400, 'BAD_REQUEST');
    expectGrantorError(await post('alice', 'room=lobby', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectToken(await post('alice', '', JSON_TYPE), '1');
    expectGrantorError(await post('alice', gzipSync('{"room":"lobby"}'), { ...JSON_TYPE, 'content-encoding': 'gzip' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const latin1 = await post('alice', '{"room":"lobby"}', { 'content-type': 'application/json; charset=latin1' });
    expectGrantorError(latin1, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectGrantorError(await post('alice', JSON.stringify({ room: 'lobby', pad: 'x'.repeat(10_000) }), JSON_TYPE), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers other methods with 405 and Allow: POST, no-store included', async () => {
    const headers = Object.fromEntries(await target().authHeaders('alice'));
    const res = await fetch(new URL(target().path, target().url), { method: 'PUT', headers });
    const put: Answer = { status: res.status, headers: res.headers, text: await res.text(), json: undefined };
    put.json = JSON.parse(put.text);
    expectGrantorError(put, 405, 'METHOD_NOT_ALLOWED');
    expect(put.headers.get('allow')).toBe('POST');
  });

  it('never answers a malformed Host with a 5xx, logged in or not, and logs no stack for it', async () => {
    const before = target().output().length;
    for (const headers of [await target().authHeaders('alice'), []]) {
      const statuses = await statusesForMalformedHosts(target().url, target().path, headers);
      for (const [host, status] of Object.entries(statuses)) expect(status === 'no answer' || status < 500, `Host ${JSON.stringify(host)}: ${status}`).toBe(true);
    }
    expect(target().output().slice(before)).not.toMatch(/\n\s+at /);
  });
}
