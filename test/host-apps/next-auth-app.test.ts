// A Next.js app as create-next-app@16 makes it (TypeScript, App Router, `@/*`, cacheComponents) with
// next-auth v4's Credentials provider and the docs' token routes pasted in. grantor comes from
// the run's registry by name through npm; the app is built once with `next build` and no Twilio credentials,
// then run with `next start` without and with them, and driven through next-auth's real sign-in.
import { cpSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectGrantorError, expectGrantorHeaders, expectToken, docsGive, TWILIO_ENV } from './support/grantor.js';
import {
  appEnv,
  HOST_APPS,
  installCommandLine,
  installHostApp,
  packPackages,
  run,
  startApp,
  type AppProcess,
  type InstalledApp,
  type Packed,
  type RunResult,
} from './support/host-app.js';
import { createClient, type Answer, type Client } from './support/http.js';

const NEXT = 'node_modules/next/dist/bin/next';
const ROUTES = [
  { router: 'App Router', path: '/api/token', user: { email: 'alice@example.com', password: 'alice-pass', id: 'u1001' } },
  { router: 'Pages Router', path: '/api/token-pages', user: { email: 'bob@example.com', password: 'bob-pass', id: 'u1002' } },
];

let packed: Packed | undefined;
let app: InstalledApp | undefined;
let build: RunResult | undefined;

const output = (result: RunResult) => `${result.stdout}\n${result.stderr}`;

beforeAll(async () => {
  packed = await packPackages(['@grantor/core', '@grantor/next']);
  app = await installHostApp('next-auth-app', packed);
  // appEnv() has no TWILIO_* (nor NEXTAUTH_SECRET): a CI build without secrets.
  if (app.install.code === 0) build = await run(process.execPath, [NEXT, 'build'], { cwd: app.dir, env: appEnv({ NEXT_TELEMETRY_DISABLED: '1' }) });
  console.info(`next-auth-app: ${app.installCommand} ${app.install.ms} ms, next build ${build?.ms ?? '-'} ms`);
}, 400_000);

afterAll(() => {
  app?.cleanup();
  packed?.cleanup();
});

function builtApp(): InstalledApp {
  if (!app || app.install.code !== 0 || build?.code !== 0) throw new Error('the app was not installed and built: see the first tests');
  return app;
}

test("npm installs grantor by name, with the docs' command", () => {
  expect(app!.install.code, `${app!.installCommand}\n${output(app!.install)}`).toBe(0);
  const line = installCommandLine(packed!);
  expect(app!.installCommand.startsWith(line)).toBe(true);
  expect(docsGive('next', line), `the docs give ${line}`).toBe(true);
});

test("the token routes and the session callback are the docs' own lines", () => {
  const source = (file: string) => readFileSync(join(HOST_APPS, 'next-auth-app', file), 'utf8');
  const snippets = [
    // The whole App Router route file.
    source('app/api/token/route.ts'),
    source('pages/api/token-pages.ts').slice(source('pages/api/token-pages.ts').indexOf('export default')),
    "declare module 'next-auth' {\n  interface Session { user: { id: string } & DefaultSession['user'] }\n}",
    'session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub! } }),',
  ];
  for (const snippet of snippets) expect(docsGive('next', snippet), `the docs give:\n${snippet}`).toBe(true);
});

test('next build succeeds without TWILIO_*, type-checking the routes as the docs write them', () => {
  expect(build, 'npm install failed').toBeDefined();
  expect(build!.code, output(build!)).toBe(0);
  expect(build!.stdout).toContain('Cache Components enabled');
  expect(build!.stdout).not.toContain('Skipping validation of types');
});

test('tsc --noEmit passes, so a getUser whose user has no id is a type error unless identity is given', async () => {
  const dir = builtApp().dir;
  cpSync(join(HOST_APPS, 'next-auth-app-types'), join(dir, 'type-tests'), { recursive: true });
  const tsc = await run(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.'], { cwd: dir, env: appEnv() });
  console.info(`next-auth-app: tsc --noEmit ${tsc.ms} ms`);
  expect(tsc.code, output(tsc)).toBe(0);
}, 120_000);

function startNext(env: Record<string, string>): Promise<AppProcess> {
  return startApp({
    cwd: builtApp().dir,
    args: (port) => [NEXT, 'start', '-p', String(port), '-H', '127.0.0.1'],
    // What next-auth v4 needs in production: its secret and the app's URL.
    env: (port) => ({ ...env, NEXT_TELEMETRY_DISABLED: '1', NEXTAUTH_SECRET: 'host-app-nextauth-secret', NEXTAUTH_URL: `http://127.0.0.1:${port}` }),
    readyPath: '/api/auth/csrf',
  });
}

/** next-auth's own sign-in, as signIn('credentials') does it: a CSRF token, then the Credentials callback. */
async function logIn(baseUrl: string, user: { email: string; password: string }): Promise<Client> {
  const client = createClient(baseUrl);
  const { csrfToken } = (await client.request('/api/auth/csrf')).json as { csrfToken: string };
  const callback = await client.postForm('/api/auth/callback/credentials', { csrfToken, username: user.email, password: user.password, json: 'true' });
  expect(callback.status, callback.text).toBe(200);
  expect((await client.request('/api/auth/session')).json).toMatchObject({ user: { email: user.email } });
  return client;
}

async function logOut(client: Client): Promise<void> {
  const { csrfToken } = (await client.request('/api/auth/csrf')).json as { csrfToken: string };
  expect((await client.postForm('/api/auth/signout', { csrfToken, json: 'true' })).status).toBe(200);
  expect((await client.request('/api/auth/session')).json).toEqual({});
}

/** Any method, TRACE included (fetch refuses to send TRACE), as the Answer the shared checks take. */
function send(baseUrl: string, method: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { method }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) for (const one of [value ?? []].flat()) headers.append(name, one);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers, text, json });
      });
    });
    req.once('error', reject).end();
  });
}

/** The app's stderr after `since`, once it shows `pattern`: the app logs after it answered (a pipe). */
async function loggedSince(server: AppProcess, since: number, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (!pattern.test(server.stderr().slice(since)) && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 50));
  return server.stderr().slice(since);
}

describe('next start without TWILIO_*', () => {
  let server: AppProcess;
  beforeAll(async () => {
    server = await startNext({});
  }, 90_000);
  afterAll(() => server?.stop());

  test.each(ROUTES)('$router: a logged-in token request answers 500 INTERNAL_ERROR and the log names the missing value', async ({ path, user }) => {
    const client = await logIn(server.url, user);
    const since = server.stderr().length;
    const answer = await client.postJson(path, '{}');
    expectGrantorError(answer, 500, 'INTERNAL_ERROR');
    expect(answer.text).not.toMatch(/accountSid|TWILIO/);
    const log = await loggedSince(server, since, /TWILIO_ACCOUNT_SID/);
    expect(log).toMatch(/accountSid.*TWILIO_ACCOUNT_SID/);
    expect(log, 'one line, no stack').not.toMatch(/^\s+at /m);
  });
});

describe('next start with TWILIO_*', () => {
  let server: AppProcess;
  beforeAll(async () => {
    server = await startNext(TWILIO_ENV);
  }, 90_000);
  afterAll(() => server?.stop());

  test.each(ROUTES)('$router: a user logged in through next-auth gets a token for their id', async ({ path, user }) => {
    const client = await logIn(server.url, user);
    const grants = expectToken(await client.postJson(path, '{"room":"standup"}'), user.id);
    expect(grants).toEqual({ identity: user.id, video: {} });
  });

  test.each(ROUTES)('$router: nobody logged in, or logged out, answers 401 JSON', async ({ path, user }) => {
    expectGrantorError(await createClient(server.url).postJson(path, '{}'), 401, 'UNAUTHENTICATED');
    const client = await logIn(server.url, user);
    await logOut(client);
    expectGrantorError(await client.postJson(path, '{}'), 401, 'UNAUTHENTICATED');
  });

  const OTHER_METHODS = ROUTES.flatMap((route) => ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((method) => ({ ...route, method })));
  test.each(OTHER_METHODS)("$router: $method answers grantor's JSON 405 with Allow: POST", async ({ path, method }) => {
    const answer = await send(server.url, method, path);
    expectGrantorError(answer, 405, 'METHOD_NOT_ALLOWED');
    expect(answer.headers.get('allow')).toBe('POST');
  });

  test.each(ROUTES)("$router: HEAD answers grantor's 405 with Allow: POST and no body", async ({ path }) => {
    const answer = await send(server.url, 'HEAD', path);
    expect(answer.status).toBe(405);
    expectGrantorHeaders(answer);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.text).toBe('');
  });

  // Next.js answers these for an App Router route before any exported handler runs (Next 16.4).
  test("App Router: TRACE gets Next's HTML 500 page and a stack in the log, PROPFIND an empty 400", async () => {
    const since = server.stderr().length;
    const trace = await send(server.url, 'TRACE', '/api/token');
    expect(trace.status).toBe(500);
    expect(trace.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await loggedSince(server, since, /'TRACE' HTTP method is unsupported/)).toMatch(/'TRACE' HTTP method is unsupported/);

    const propfind = await send(server.url, 'PROPFIND', '/api/token');
    expect(propfind.status).toBe(400);
    expect(propfind.text).toBe('');
    expect(propfind.headers.get('cache-control')).toBeNull();
  });

  test.each(['TRACE', 'PROPFIND'])('Pages Router: %s reaches grantor, which answers its JSON 405', async (method) => {
    const answer = await send(server.url, method, '/api/token-pages');
    expectGrantorError(answer, 405, 'METHOD_NOT_ALLOWED');
    expect(answer.headers.get('allow')).toBe('POST');
  });
});
