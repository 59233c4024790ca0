// What every host app must show once it is running, the same way, whatever its framework and login:
// a token for the user's id whatever the body says; grantor's JSON 401 (before login and after
// logout), 403 by policy and by Origin, 400, 405 for every other method, and the contract's answers
// to a form, an empty body, gzip, a non-UTF-8 charset and a body over bodyLimit; no-store on every
// answer; never a 5xx for a malformed Host; no stack trace in the server log. Where the app sets them,
// rateLimit holding across requests and, without TWILIO_*, a 500 whose cause is in the server log.
//
// The apps share one set-up: users alice (id 1, host), bob (id 2, guest) and, in apps with rateLimit,
// carol (id 3, host), passwords `<name>-pass`; the docs' policy (hosts any room, guests the lobby).
// Apps with rateLimit also set `allowedOrigins` from the ORIGIN variable (the app's own origin) and
// `rateLimit: { points: 3, duration: 60 }`.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsGive, expectGrantorError, expectToken, statusesForMalformedHosts, TWILIO_ENV } from './grantor.js';
import { installCommandLine, installHostApp, run, startApp, type AppProcess, type InstalledApp, type Packed, type RunResult } from './host-app.js';
import { type Client, createClient } from './http.js';

export type Username = 'alice' | 'bob' | 'carol';

export interface HostAppUnderTest {
  /** Starts the built app with these variables added (ORIGIN set to its own origin, where it reads one). */
  start(env: Record<string, string>): Promise<AppProcess>;
  /** Logs the client in through the app's own login: a session cookie, or a bearer token in `client.headers`. */
  logIn(client: Client, app: AppProcess, username: Username): Promise<void>;
  /** Logs the client out through the app's own logout (a bearer token has none). */
  logOut?(client: Client, app: AppProcess): Promise<void>;
  /** The ttl the app's policy gives bob's lobby token (3600 when it names none). */
  guestTtl: number;
  /**
   * An app-wide body parser (express.json(), Nest's) inflates a gzip body before the route, and grantor
   * takes the params it parsed, as the docs say; else grantor reads the body and refuses it (415).
   */
  parserInflates?: boolean;
  /** The app sets `allowedOrigins`, `rateLimit: { points: 3, duration: 60 }` and has carol. */
  rateLimit?: boolean;
  /** The app starts without TWILIO_* (its build had none either), and its token route then answers 500. */
  startsWithoutCredentials?: boolean;
  /**
   * Where the framework (before the route) or the app's auth library (in getUser, a 500 by the contract)
   * fails on a malformed Host, as it builds a URL from it: why. The Host test is then skipped.
   */
  failsOnMalformedHost?: string;
}

const TOKEN_PATH = '/api/token';
const JSON_TYPE = { 'content-type': 'application/json' };
const OTHER_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** The warning a route created for each request prints. */
const REBUILT_WARNING = '[grantor] a token route is being created';
/** A stack frame, on its own line as Node prints one or inline. */
const STACK_FRAME = /\n\s+at |\bat .+:\d+:\d+/;

/** Runs the contract against the app, started with TWILIO_* for the tests of this block; returns it, for the file's own tests. */
export function describeTokenRoute(under: HostAppUnderTest): () => AppProcess {
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

  it("issues a token for the user's id, whatever identity the body names", async () => {
    const alice = await loggedIn('alice');
    const grants = expectToken(await alice.postJson(TOKEN_PATH, '{"room":"standup","identity":"admin"}'), '1');
    expect(grants).toMatchObject({ identity: '1', video: { room: 'standup' } });
  });

  it('answers 403 where the policy says no, and a token where it says yes (from the app\'s own page)', async () => {
    const bob = await loggedIn('bob');
    expectGrantorError(await bob.postJson(TOKEN_PATH, '{"room":"standup"}'), 403, 'FORBIDDEN');
    const lobby = await bob.postJson(TOKEN_PATH, '{"room":"lobby"}', { origin: app.url });
    expect(expectToken(lobby, '2')).toMatchObject({ video: { room: 'lobby' } });
    expect(lobby.json).toMatchObject({ ttl: under.guestTtl });
  });

  it(`answers 401 before login${under.logOut ? ' and after logout' : ''}`, async () => {
    const client = createClient(app.url);
    expectGrantorError(await client.postJson(TOKEN_PATH, '{"room":"lobby"}'), 401, 'UNAUTHENTICATED');
    if (!under.logOut) return;
    await under.logIn(client, app, 'bob');
    await under.logOut(client, app);
    expectGrantorError(await client.postJson(TOKEN_PATH, '{"room":"lobby"}'), 401, 'UNAUTHENTICATED');
  });

  it('answers 403 to a foreign Origin', async () => {
    const alice = await loggedIn('alice');
    expectGrantorError(await alice.postJson(TOKEN_PATH, '{"room":"standup"}', { origin: 'https://evil.example' }), 403, 'ORIGIN_NOT_ALLOWED');
  });

  it("gives the contract's answers to invalid JSON, a form, an empty JSON body, gzip, a non-UTF-8 charset and a body over bodyLimit", async () => {
    const alice = await loggedIn('alice');
    const post = (body: string | Buffer, headers: Record<string, string>) => alice.request(TOKEN_PATH, { method: 'POST', body: body as BodyInit, headers });
    expectGrantorError(await post('{"room":', JSON_TYPE), 400, 'BAD_REQUEST');
    // With the page's Origin, as a browser sends a form (SvelteKit and Astro refuse a cross-site one before the route).
    const form = await post('room=lobby', { 'content-type': 'application/x-www-form-urlencoded', origin: app.url });
    expectGrantorError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectToken(await post('', JSON_TYPE), '1');
    const gzip = await post(gzipSync('{"room":"lobby"}'), { ...JSON_TYPE, 'content-encoding': 'gzip' });
    if (under.parserInflates) expect(expectToken(gzip, '1')).toMatchObject({ video: { room: 'lobby' } });
    else expectGrantorError(gzip, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectGrantorError(await post('{"room":"lobby"}', { 'content-type': 'application/json; charset=latin1' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectGrantorError(await post(JSON.stringify({ room: 'lobby', pad: 'x'.repeat(10_000) }), JSON_TYPE), 413, 'PAYLOAD_TOO_LARGE');
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

  it.runIf(under.rateLimit)('holds rateLimit across requests: 3 tokens a minute, then 429', async () => {
    const carol = await loggedIn('carol');
    for (let token = 0; token < 3; token++) expectToken(await carol.postJson(TOKEN_PATH, '{"room":"standup"}'), '3');
    const over = await carol.postJson(TOKEN_PATH, '{"room":"standup"}');
    expectGrantorError(over, 429, 'RATE_LIMITED');
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  const hostTest = under.failsOnMalformedHost ? `, skipped: ${under.failsOnMalformedHost}` : '';
  it.skipIf(hostTest)(`never answers a malformed Host with a 5xx, logged in or not${hostTest}`, async () => {
    const alice = await loggedIn('alice');
    for (const headers of [alice.sentHeaders(), []]) {
      const statuses = await statusesForMalformedHosts(app.url, TOKEN_PATH, headers);
      for (const [host, status] of Object.entries(statuses)) expect(status === 'no answer' || status < 500, `Host ${JSON.stringify(host)}: ${status}`).toBe(true);
    }
  });

  it('logged no stack trace for all of the above, and created the route once', () => {
    const output = app.stdout() + app.stderr();
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toContain(REBUILT_WARNING);
  });

  if (under.startsWithoutCredentials) {
    describe('the token route without TWILIO_* (the build had none either)', () => {
      let bare: AppProcess;
      beforeAll(async () => {
        bare = await under.start({});
      });
      afterAll(() => bare?.stop());

      it('the app runs; a token request answers 500 and the server log names the missing values', async () => {
        const alice = createClient(bare.url);
        await under.logIn(alice, bare, 'alice');
        expectGrantorError(await alice.postJson(TOKEN_PATH, '{"room":"standup"}'), 500, 'INTERNAL_ERROR');
        await expect.poll(() => bare.stderr(), { timeout: 5_000 }).toMatch(/\[grantor\] token request failed with 500\. INVALID_ACCOUNT_SID: .*TWILIO_ACCOUNT_SID/);
        expect(bare.stderr()).not.toMatch(STACK_FRAME);
      });
    });
  }
  return () => app;
}

/** The app's login: POST `path` with JSON `{ username, password }` answers `{ [field]: token }`, sent on as a bearer token. */
export function bearerLogIn(path: string, field: string): HostAppUnderTest['logIn'] {
  return async (client, _app, username) => {
    const answer = await client.postJson(path, JSON.stringify({ username, password: `${username}-pass` }));
    expect(answer.status, answer.text).toBeLessThan(300);
    client.headers.set('authorization', `Bearer ${(answer.json as Record<string, string>)[field]}`);
  };
}

/** The app's login (or logout, without `username`): a form post to `path` that answers `status`, with the session cookie. */
export function formPostAnswers(path: string, status: number) {
  return async (client: Client, _app: AppProcess, username?: Username): Promise<void> => {
    const answer = await client.postForm(path, username ? { username, password: `${username}-pass` } : {});
    expect(answer.status, answer.text).toBe(status);
  };
}

/**
 * Installs test/host-apps/<name> once from the tarballs (`packed()`, packed in the file's beforeAll),
 * builds it when `build`, and removes it after the file's tests; `packageDir` is the package whose
 * README, beside the docs, may give the install line. `start` runs `node <args>` in it, for describeTokenRoute.
 */
export function installedHostApp(packed: () => Packed, packageDir: string, name: string, args: string[], build: boolean) {
  const state: { installed?: InstalledApp; build?: RunResult } = {};
  beforeAll(async () => {
    state.installed = await installHostApp(name, packed());
    if (build) state.build = await run('npm', ['run', 'build'], { cwd: state.installed.dir });
    console.log(`${name}: ${state.installed.installCommand} took ${state.installed.install.ms} ms${build ? `, npm run build ${state.build!.ms} ms` : ''}`);
  });
  afterAll(() => state.installed?.cleanup());
  it(`installs from the tarballs${build ? ' and compiles with tsc' : ''}`, () => {
    expect(state.installed!.install.code, state.installed!.install.stderr).toBe(0);
    if (build) expect(state.build!.code, `${state.build!.stdout}\n${state.build!.stderr}`).toBe(0);
    expect(docsGive(packageDir, installCommandLine(packed())), `the docs give ${installCommandLine(packed())}`).toBe(true);
  });
  const start = (env: Record<string, string>) => startApp({ cwd: state.installed!.dir, args, env, readyPath: '/' });
  return { state, start };
}
