// What every meta-framework host app (SvelteKit, React Router, ...) must show once it is running, the
// same way: the app's own login, a token for the user's id whatever the body says, 401, 403 by policy
// and by Origin, 400, grantor's JSON 405 for every other method, no-store on every answer, rateLimit
// holding across requests, and, without TWILIO_*, a 500 whose cause is in the server log.
//
// The apps share one set-up: users alice (id 1, host), bob (id 2, guest) and carol (id 3, host),
// passwords `<name>-pass`; the docs' policy (hosts any room, guests the lobby); `allowedOrigins`
// from the ORIGIN variable (the app's own origin); `rateLimit: { points: 3, duration: 60 }`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGrantorError, expectToken, TWILIO_ENV } from './grantor.js';
import type { AppProcess } from './host-app.js';
import { type Client, createClient } from './http.js';

export type Username = 'alice' | 'bob' | 'carol';

export interface HostAppUnderTest {
  /** Starts the built app with these variables added (ORIGIN is set to its own origin). */
  start(env: Record<string, string>): Promise<AppProcess>;
  /** Logs the client in through the app's own login (a form post), so its session cookie goes along. */
  logIn(client: Client, app: AppProcess, username: Username): Promise<void>;
  /** Logs the client out through the app's own logout. */
  logOut(client: Client, app: AppProcess): Promise<void>;
}

const TOKEN_PATH = '/api/token';
const OTHER_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** The warning a route created for each request prints. */
const REBUILT_WARNING = '[grantor] a token route is being created';

export function describeTokenRoute(under: HostAppUnderTest): void {
  describe('the token route, with TWILIO_* set', () => {
    let app: AppProcess;
    beforeAll(async () => {
      app = await under.start(TWILIO_ENV);
    });
    afterAll(() => app?.stop());

    const loggedIn = async (username: Username): Promise<Client> => {
      const client = createClient(app.url);
      await under.logIn(client, app, username);
      return client;
    };

    it("issues a token whose identity is the user's id, whatever the body says", async () => {
      const alice = await loggedIn('alice');
      const grants = expectToken(await alice.postJson(TOKEN_PATH, '{"room":"standup","identity":"admin"}'), '1');
      expect(grants).toMatchObject({ video: { room: 'standup' } });
    });

    it('answers 403 where the policy says no, and 200 where it says yes', async () => {
      const bob = await loggedIn('bob');
      expectGrantorError(await bob.postJson(TOKEN_PATH, '{"room":"standup"}'), 403, 'FORBIDDEN');
      expect((await bob.postJson(TOKEN_PATH, '{"room":"lobby"}', { origin: app.url })).json).toMatchObject({ identity: '2', ttl: 600 });
    });

    it('answers 401 before login and after logout', async () => {
      const client = createClient(app.url);
      expectGrantorError(await client.postJson(TOKEN_PATH, '{"room":"lobby"}'), 401, 'UNAUTHENTICATED');
      await under.logIn(client, app, 'bob');
      await under.logOut(client, app);
      expectGrantorError(await client.postJson(TOKEN_PATH, '{"room":"lobby"}'), 401, 'UNAUTHENTICATED');
    });

    it('answers 403 to a foreign Origin (allowedOrigins)', async () => {
      const alice = await loggedIn('alice');
      expectGrantorError(await alice.postJson(TOKEN_PATH, '{"room":"standup"}', { origin: 'https://evil.example' }), 403, 'ORIGIN_NOT_ALLOWED');
    });

    it('answers invalid JSON with 400', async () => {
      const alice = await loggedIn('alice');
      expectGrantorError(await alice.postJson(TOKEN_PATH, '{"room":'), 400, 'BAD_REQUEST');
    });

    it.each(OTHER_METHODS)("answers %s with grantor's JSON 405, Allow: POST and no-store", async (method) => {
      const alice = await loggedIn('alice');
      // With the Origin a browser's fetch() sends for every method but GET and HEAD (Astro refuses such a
      // request without it before the route runs, as a cross-site form submission).
      const headers: Record<string, string> = method === 'GET' || method === 'HEAD' ? {} : { origin: app.url };
      const answer = await alice.request(TOKEN_PATH, { method, headers });
      if (method === 'HEAD') {
        expect([answer.status, answer.headers.get('allow'), answer.headers.get('cache-control')]).toEqual([405, 'POST', 'no-store']);
      } else {
        expectGrantorError(answer, 405, 'METHOD_NOT_ALLOWED');
        expect(answer.headers.get('allow')).toBe('POST');
      }
    });

    it('holds rateLimit across requests: 3 tokens a minute, then 429; the route is created once', async () => {
      const carol = await loggedIn('carol');
      for (let token = 0; token < 3; token++) expectToken(await carol.postJson(TOKEN_PATH, '{"room":"standup"}'), '3');
      const over = await carol.postJson(TOKEN_PATH, '{"room":"standup"}');
      expectGrantorError(over, 429, 'RATE_LIMITED');
      expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(app.stdout() + app.stderr()).not.toContain(REBUILT_WARNING);
    });
  });

  describe('the token route without TWILIO_* (the build had none either)', () => {
    let app: AppProcess;
    beforeAll(async () => {
      app = await under.start({});
    });
    afterAll(() => app?.stop());

    it('the app runs; a token request answers 500 and the server log names the missing values', async () => {
      const alice = createClient(app.url);
      await under.logIn(alice, app, 'alice');
      expectGrantorError(await alice.postJson(TOKEN_PATH, '{"room":"standup"}'), 500, 'INTERNAL_ERROR');
      await expect.poll(() => app.stderr(), { timeout: 5_000 }).toMatch(/\[grantor\] token request failed with 500\. INVALID_ACCOUNT_SID: .*TWILIO_ACCOUNT_SID/);
      expect(app.stderr()).not.toMatch(/\bat .+:\d+:\d+/);
    });
  });
}
