// grantor in two Fastify 5 apps, installed from packed tarballs with npm, with the docs'
// lines: a TypeScript app with @fastify/secure-session + @fastify/passport (form login, session
// cookie), and a JavaScript one with @fastify/jwt (bearer tokens, identity(user) from the JWT's sub).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPackages, type Packed } from './support/host-app.js';
import { createClient } from './support/http.js';
import { bearerTarget, describeTokenRouteChecks, expectDocsGive, installedHostApp, sessionTarget } from './support/token-route-checks.js';

let packed: Packed;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core', '@grantor/fastify']);
});
afterAll(() => packed?.cleanup());

const hostApp = (name: string, args: string[], build: boolean) => installedHostApp(() => packed, 'fastify', name, args, build);
const expectDocsLines = (file: string, lines: string[]) => expectDocsGive('fastify', file, lines);

describe('Fastify 5 + @fastify/secure-session + @fastify/passport (TypeScript)', () => {
  const state = hostApp('fastify-passport-app', ['dist/server.js'], true);
  const target = sessionTarget(() => state.app!, { path: '/login', status: 302 });

  it("uses the docs' lines", () => {
    expectDocsLines(join(state.installed!.dir, 'src/server.ts'), [
      "import grantor from '@grantor/fastify';",
      "await fastify.register(grantor, {\n  prefix: '/api/token',",
    ]);
  });

  describeTokenRouteChecks(target);

  it("answers 401 after logout, and leaves the app's own JSON route to Fastify's parser", async () => {
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
  const target = bearerTarget(() => state.app!, { path: '/login', field: 'token' });

  it("uses the docs' lines", () => {
    expectDocsLines(join(state.installed!.dir, 'server.js'), [
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
