// grantor in two Fastify 5 apps, installed from packed tarballs with npm, with the root README's
// lines: a TypeScript app with @fastify/secure-session + @fastify/passport (form login, session
// cookie), and a JavaScript one with @fastify/jwt (bearer tokens, identity(user) from the JWT's sub).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmesGive, TWILIO_ENV } from './support/grantor.js';
import { installCommandLine, installHostApp, packPackages, run, startApp, type AppProcess, type InstalledApp, type Packed, type RunResult } from './support/host-app.js';
import { createClient, type Client } from './support/http.js';
import { describeTokenRouteChecks, type TokenRouteTarget, type Who } from './support/token-route-checks.js';

let packed: Packed;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core', '@grantor/fastify']);
});
afterAll(() => packed?.cleanup());

const PASSWORDS = { alice: 'alice-pass', bob: 'bob-pass' };

/** Installs the app once, starts it, and stops and removes it after its tests. */
function hostApp(name: string, args: string[], build: boolean) {
  const state: { installed?: InstalledApp; build?: RunResult; app?: AppProcess } = {};
  beforeAll(async () => {
    state.installed = await installHostApp(name, packed);
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
    expect(readmesGive('fastify', installCommandLine(packed)), `a README gives ${installCommandLine(packed)}`).toBe(true);
  });
  return state;
}

function expectReadmeLines(file: string, lines: string[]): void {
  const source = readFileSync(file, 'utf8');
  for (const line of lines) {
    expect(source.replace(/\s+/g, '').includes(line.replace(/\s+/g, '')), `${file} has ${line}`).toBe(true);
    expect(readmesGive('fastify', line), `a README gives ${line}`).toBe(true);
  }
}

describe('Fastify 5 + @fastify/secure-session + @fastify/passport (TypeScript)', () => {
  const state = hostApp('fastify-passport-app', ['dist/server.js'], true);
  const clients = new Map<Exclude<Who, null>, Client>();
  async function clientOf(who: Who): Promise<Client> {
    if (who === null) return createClient(state.app!.url);
    let client = clients.get(who);
    if (!client) {
      client = createClient(state.app!.url);
      const login = await client.postForm('/login', { username: who, password: PASSWORDS[who] });
      expect(login.status, login.text).toBe(302);
      clients.set(who, client);
    }
    return client;
  }
  const target = (): TokenRouteTarget => ({
    url: state.app!.url,
    path: '/api/token',
    post: async (who, body, headers = {}) => (await clientOf(who)).request('/api/token', { method: 'POST', body: body as BodyInit, headers }),
    authHeaders: async (who) => [['Cookie', [...(await clientOf(who)).cookies].map(([name, value]) => `${name}=${value}`).join('; ')]],
    output: () => state.app!.stdout() + state.app!.stderr(),
  });

  it("uses the README's lines", () => {
    expectReadmeLines(join(state.installed!.dir, 'src/server.ts'), [
      "import grantor from '@grantor/fastify';",
      "await fastify.register(grantor, {\n  prefix: '/api/token',",
    ]);
  });

  describeTokenRouteChecks(target);

  it('answers 401 after logout, and leaves the app\'s own JSON route to Fastify\'s parser', async () => {
    const client = createClient(state.app!.url);
    expect((await client.postForm('/login', { username: 'alice', password: 'alice-pass' })).status).toBe(302);
    expect((await client.request('/logout', { method: 'POST' })).status).toBe(302);
    expect((await client.postJson('/api/token', '{}')).status).toBe(401);
    expect((await client.postJson('/api/notes', '{"text":"hi"}')).json).toEqual({ saved: { text: 'hi' } });
    expect((await client.postJson('/api/notes', '{"text":')).json).toMatchObject({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
  });
});

describe('Fastify 5 + @fastify/jwt (JavaScript)', () => {
  const state = hostApp('fastify-jwt-app', ['server.js'], false);
  const tokens = new Map<Exclude<Who, null>, string>();
  async function bearer(who: Exclude<Who, null>): Promise<string> {
    let token = tokens.get(who);
    if (!token) {
      const login = await createClient(state.app!.url).postJson('/login', JSON.stringify({ username: who, password: PASSWORDS[who] }));
      token = (login.json as { token: string }).token;
      tokens.set(who, token);
    }
    return `Bearer ${token}`;
  }
  const target = (): TokenRouteTarget => ({
    url: state.app!.url,
    path: '/api/token',
    post: async (who, body, headers = {}) =>
      createClient(state.app!.url).request('/api/token', { method: 'POST', body: body as BodyInit, headers: { ...headers, ...(who && { authorization: await bearer(who) }) } }),
    authHeaders: async (who) => [['Authorization', await bearer(who)]],
    output: () => state.app!.stdout() + state.app!.stderr(),
  });

  it("uses the README's lines", () => {
    expectReadmeLines(join(state.installed!.dir, 'server.js'), [
      "fastify.addHook('onRequest', async (request, reply) => {\n    try {\n      await request.jwtVerify();",
      "fastify.register(grantor, {\n    prefix: '/api/token',",
      'identity: (user) => user.sub,',
    ]);
  });

  describeTokenRouteChecks(target);

  it("answers a forged bearer token with grantor's 401", async () => {
    const answer = await createClient(state.app!.url).postJson('/api/token', '{}', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' });
    expect({ status: answer.status, json: answer.json }).toMatchObject({ status: 401, json: { error: { code: 'UNAUTHENTICATED' } } });
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });
});
