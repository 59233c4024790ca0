// grantor in a SvelteKit 2 app made as `npx sv create` makes one (minimal template, TypeScript), with
// adapter-node 5: sessions in event.locals filled by hooks.server.ts, a form-action login, and the
// docs' src/routes/api/token/+server.ts (POST plus `fallback`). Installed from the packed tarball
// with npm, type-checked with svelte-check and built with `vite build` without any TWILIO_* variable,
// then run with `node build`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGrantorError, expectToken, docsGive, TWILIO_ENV } from './support/grantor.js';
import { appEnv, installCommandLine, installHostApp, packPackages, run, startApp, type InstalledApp, type Packed, type RunResult } from './support/host-app.js';
import { type Client, createClient } from './support/http.js';
import { describeTokenRoute } from './support/token-route-contract.js';

let packed: Packed;
let installed: InstalledApp;
let check: RunResult;
let build: RunResult;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core']);
  installed = await installHostApp('sveltekit-app', packed);
  // appEnv() has no TWILIO_* variable: the build imports +server.ts, which creates the route.
  check = await run('npm', ['run', 'check'], { cwd: installed.dir, env: appEnv() });
  build = await run('npm', ['run', 'build'], { cwd: installed.dir, env: appEnv() });
  console.log(`sveltekit-app: ${installed.installCommand} took ${installed.install.ms} ms, npm run check ${check.ms} ms, npm run build ${build.ms} ms`);
}, 600_000);
afterAll(() => {
  installed?.cleanup();
  packed?.cleanup();
});

it('installs from the tarball, passes svelte-check and builds without TWILIO_*', () => {
  expect(installed.install.code, installed.install.stderr).toBe(0);
  expect(check.code, `${check.stdout}\n${check.stderr}`).toBe(0);
  expect(check.stdout).toMatch(/svelte-check found 0 errors and 0 warnings/);
  expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
});

it("the token route is the docs' +server.ts, and the install line is the docs'", () => {
  const route = readFileSync(join(installed.dir, 'src/routes/api/token/+server.ts'), 'utf8');
  expect(docsGive('core', route), 'the docs give src/routes/api/token/+server.ts').toBe(true);
  expect(docsGive('core', installCommandLine(packed)), `the docs give ${installCommandLine(packed)}`).toBe(true);
});

/** A browser's form post: SvelteKit refuses one without the page's Origin, and answers fetch()es with JSON. */
const formPost = (client: Client, url: string, path: string, fields: Record<string, string>) =>
  client.postForm(path, fields, { origin: url, accept: 'text/html' });

const start = (env: Record<string, string>) =>
  startApp({ cwd: installed.dir, args: ['build'], env: (port) => ({ ...env, HOST: '127.0.0.1', ORIGIN: `http://127.0.0.1:${port}` }), readyPath: '/login' });

async function logIn(client: Client, url: string, username: string): Promise<void> {
  const login = await formPost(client, url, '/login', { username, password: `${username}-pass` });
  expect([login.status, login.headers.get('location')], login.text).toEqual([303, '/']);
}

describeTokenRoute({
  start,
  logIn: (client, app, username) => logIn(client, app.url, username),
  async logOut(client, app) {
    expect((await formPost(client, app.url, '/logout', {})).status).toBe(303);
  },
  guestTtl: 600,
  rateLimit: true,
  startsWithoutCredentials: true,
});

it("answers a text/plain POST without the app's Origin with SvelteKit's own plain-text 403, as the docs say", async () => {
  const app = await start(TWILIO_ENV);
  try {
    const alice = createClient(app.url);
    await logIn(alice, app.url, 'alice');
    // What `curl -d` sends without -H 'Content-Type: application/json', or a no-cors fetch of another origin.
    const textPost = (headers: Record<string, string>) =>
      alice.request('/api/token', { method: 'POST', body: '{"room":"standup"}', headers: { 'content-type': 'text/plain', ...headers } });
    const refused = await textPost({});
    expect([refused.status, refused.text]).toEqual([403, 'Cross-site POST form submissions are forbidden']);
    // With the app's own Origin SvelteKit lets it through, and the route answers it.
    expectGrantorError(await textPost({ origin: app.url }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  } finally {
    await app.stop();
  }
});

describe('the mistake the context argument prevents: a route created inside POST (src/routes/api/token-per-request)', () => {
  it('counts rateLimit from zero each time, and the server log says so, once, by the third request', async () => {
    const app = await start(TWILIO_ENV);
    try {
      const alice = createClient(app.url);
      await logIn(alice, app.url, 'alice');
      const warnings = () => app.stderr().match(/\[grantor\] a token route is being created for each request/g)?.length ?? 0;
      const tokens = async (count: number) => {
        for (let token = 0; token < count; token++) expectToken(await alice.postJson('/api/token-per-request', '{"room":"standup"}'), '1');
      };
      await tokens(2);
      expect(warnings()).toBe(0);
      await tokens(1);
      await expect.poll(warnings, { timeout: 5_000 }).toBe(1);
      // Five tokens under `points: 3`: each copy of the route counted one.
      await tokens(2);
      expect(warnings()).toBe(1);
    } finally {
      await app.stop();
    }
  });
});
