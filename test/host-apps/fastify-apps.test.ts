// grantor in two Fastify 5 apps, installed from packed tarballs with npm, with the docs'
// lines: a TypeScript app with @fastify/secure-session + @fastify/passport (form login, session
// cookie), and a JavaScript one with @fastify/jwt (bearer tokens, identity(user) from the JWT's sub).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectDocsGive } from './support/grantor.js';
import { packPackages, type Packed } from './support/host-app.js';
import { createClient } from './support/http.js';
import { bearerLogIn, describeTokenRoute, formPostAnswers, installedHostApp } from './support/token-route-contract.js';

let packed: Packed;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core', '@grantor/fastify']);
});
afterAll(() => packed?.cleanup());

const hostApp = (name: string, args: string[], build: boolean) => installedHostApp(() => packed, 'fastify', name, args, build);
const expectDocsLines = (file: string, lines: string[]) => expectDocsGive('fastify', file, lines);

describe('Fastify 5 + @fastify/secure-session + @fastify/passport (TypeScript)', () => {
  const { state, start } = hostApp('fastify-passport-app', ['dist/server.js'], true);

  it("uses the docs' lines", () => {
    expectDocsLines(join(state.installed!.dir, 'src/server.ts'), [
      "import grantor from '@grantor/fastify';",
      "await fastify.register(grantor, {\n  prefix: '/api/token',",
    ]);
  });

  const app = describeTokenRoute({ start, logIn: formPostAnswers('/login', 302), logOut: formPostAnswers('/logout', 302), guestTtl: 600 });

  it("leaves the app's own JSON route to Fastify's parser", async () => {
    const client = createClient(app().url);
    expect((await client.postJson('/api/notes', '{"text":"hi"}')).json).toEqual({ saved: { text: 'hi' } });
    expect((await client.postJson('/api/notes', '{"text":')).json).toMatchObject({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
  });
});

describe('Fastify 5 + @fastify/jwt (JavaScript)', () => {
  const { state, start } = hostApp('fastify-jwt-app', ['server.js'], false);

  it("uses the docs' lines", () => {
    expectDocsLines(join(state.installed!.dir, 'server.js'), [
      "fastify.addHook('onRequest', async (request, reply) => {\n    try {\n      await request.jwtVerify();",
      "fastify.register(grantor, {\n    prefix: '/api/token',",
      'identity: (user) => user.sub,',
    ]);
  });

  const app = describeTokenRoute({ start, logIn: bearerLogIn('/login', 'token'), guestTtl: 600 });

  it("answers a forged bearer token with grantor's 401", async () => {
    const answer = await createClient(app().url).postJson('/api/token', '{}', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' });
    expect({ status: answer.status, json: answer.json }).toMatchObject({ status: 401, json: { error: { code: 'UNAUTHENTICATED' } } });
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });
});
