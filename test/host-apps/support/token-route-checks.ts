// The checks every host app of a framework that owns the request (Fastify, Nest) runs on its token
// route, whatever its login: alice (id 1) is a host, bob (id 2) a guest the policy keeps to the lobby.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectGrantorError, expectToken, docsGive, statusesForMalformedHosts, TWILIO_ENV } from './grantor.js';
import { installCommandLine, installHostApp, run, startApp, type AppProcess, type InstalledApp, type Packed, type RunResult } from './host-app.js';
import { type Answer, type Client, createClient } from './http.js';

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
  /**
   * An app-wide body parser (Nest's express.json()) inflates a gzip body before the route, and grantor
   * takes the params it parsed, as the docs say; else grantor reads the body and refuses it (415).
   */
  parserInflates?: boolean;
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
    const gzip = await post('alice', gzipSync('{"room":"lobby"}'), { ...JSON_TYPE, 'content-encoding': 'gzip' });
    if (target().parserInflates) expect(expectToken(gzip, '1')).toMatchObject({ video: { room: 'lobby' } });
    else expectGrantorError(gzip, 415, 'UNSUPPORTED_MEDIA_TYPE');
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

/**
 * Installs test/host-apps/<name> once from the tarballs (`packed()`, packed in the file's beforeAll),
 * builds it when `build`, starts `node <args>` with TWILIO_*, and stops and removes it after the
 * file's tests; `packageDir` is the package whose README, beside the docs, may give the install line.
 */
export function installedHostApp(packed: () => Packed, packageDir: string, name: string, args: string[], build: boolean) {
  const state: { installed?: InstalledApp; build?: RunResult; app?: AppProcess } = {};
  beforeAll(async () => {
    state.installed = await installHostApp(name, packed());
    if (build) state.build = await run('npm', ['run', 'build'], { cwd: state.installed.dir });
    console.log(`${name}: ${state.installed.installCommand} took ${state.installed.install.ms} ms${build ? `, npm run build ${state.build!.ms} ms` : ''}`);
    if (state.installed.install.code === 0 && (state.build?.code ?? 0) === 0) {
      state.app = await startApp({ cwd: state.installed.dir, args, env: TWILIO_ENV, readyPath: '/' });
    }
  });
  afterAll(async () => {
    await state.app?.stop();
    state.installed?.cleanup();
  });
  it(`installs from the tarballs${build ? ' and compiles with tsc' : ''}`, () => {
    expect(state.installed!.install.code, state.installed!.install.stderr).toBe(0);
    if (build) expect(state.build!.code, `${state.build!.stdout}\n${state.build!.stderr}`).toBe(0);
    expect(docsGive(packageDir, installCommandLine(packed())), `the docs give ${installCommandLine(packed())}`).toBe(true);
  });
  return state;
}

/** The app's file has each of `lines` (whitespace aside), and the docs give it. */
export function expectDocsGive(packageDir: string, file: string, lines: string[]): void {
  const source = readFileSync(file, 'utf8').replace(/\s+/g, '');
  for (const line of lines) {
    expect(source.includes(line.replace(/\s+/g, '')), `${file} has ${line}`).toBe(true);
    expect(docsGive(packageDir, line), `the docs give ${line}`).toBe(true);
  }
}

const PASSWORDS = { alice: 'alice-pass', bob: 'bob-pass' };

/** An app whose users log in for a bearer token: POST `path` with JSON `{ username, password }` answers `{ [field]: token }`. */
export function bearerTarget(app: () => AppProcess, login: { path: string; field: string }, extra: Partial<TokenRouteTarget> = {}): () => TokenRouteTarget {
  const tokens = new Map<Exclude<Who, null>, string>();
  async function bearer(who: Exclude<Who, null>): Promise<string> {
    if (!tokens.has(who)) {
      const answer = await createClient(app().url).postJson(login.path, JSON.stringify({ username: who, password: PASSWORDS[who] }));
      expect(answer.status, answer.text).toBeLessThan(300);
      tokens.set(who, (answer.json as Record<string, string>)[login.field]!);
    }
    return `Bearer ${tokens.get(who)}`;
  }
  return () => ({
    url: app().url,
    path: '/api/token',
    post: async (who, body, headers = {}) =>
      createClient(app().url).request('/api/token', { method: 'POST', body: body as BodyInit, headers: { ...headers, ...(who && { authorization: await bearer(who) }) } }),
    authHeaders: async (who) => [['Authorization', await bearer(who)]],
    output: () => app().stdout() + app().stderr(),
    ...extra,
  });
}

/** An app with a form login: POST `path` with `username` and `password` answers `status` and sets the session cookie. */
export function sessionTarget(app: () => AppProcess, login: { path: string; status: number }, extra: Partial<TokenRouteTarget> = {}): () => TokenRouteTarget {
  const clients = new Map<Exclude<Who, null>, Client>();
  async function clientOf(who: Who): Promise<Client> {
    if (who === null) return createClient(app().url);
    if (!clients.has(who)) {
      const client = createClient(app().url);
      const answer = await client.postForm(login.path, { username: who, password: PASSWORDS[who] });
      expect(answer.status, answer.text).toBe(login.status);
      clients.set(who, client);
    }
    return clients.get(who)!;
  }
  return () => ({
    url: app().url,
    path: '/api/token',
    post: async (who, body, headers = {}) => (await clientOf(who)).request('/api/token', { method: 'POST', body: body as BodyInit, headers }),
    authHeaders: async (who) => [['Cookie', [...(await clientOf(who)).cookies].map(([name, value]) => `${name}=${value}`).join('; ')]],
    output: () => app().stdout() + app().stderr(),
    ...extra,
  });
}
