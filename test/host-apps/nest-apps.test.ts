// grantor in two Nest 12 apps made as `nest new` makes one (its files written here, ESM as Nest 12's
// packages are, built with tsc), installed from packed tarballs with npm, with the docs'
// lines: the Nest docs' Passport recipe (local login, JWT bearer, AuthGuard('jwt'), the user's id in
// userId) with the credentials from ConfigService (forRootAsync), and a session login (express-session,
// Passport sessions, an AuthenticatedGuard that returns isAuthenticated()).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPackages, type Packed } from './support/host-app.js';
import { createClient } from './support/http.js';
import { bearerTarget, describeTokenRouteChecks, expectDocsGive, installedHostApp, sessionTarget } from './support/token-route-checks.js';

let packed: Packed;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core', '@grantor/nestjs']);
});
afterAll(() => packed?.cleanup());

const hostApp = (name: string) => installedHostApp(() => packed, 'nestjs', name, ['dist/main.js'], true);

describe("Nest 12 (nest new) + the Nest docs' Passport JWT recipe, credentials from ConfigService", () => {
  const state = hostApp('nest-jwt-app');
  const target = bearerTarget(() => state.app!, { path: '/auth/login', field: 'access_token' }, { parserInflates: true });

  it("uses the docs' lines", () => {
    expectDocsGive('nestjs', join(state.installed!.dir, 'src/app.module.ts'), [
      "import { GrantorModule } from '@grantor/nestjs';",
      'GrantorModule.forRootAsync<User>({\n      imports: [ConfigModule],\n      inject: [ConfigService],',
      "guards: [AuthGuard('jwt')],",
      "accountSid: config.getOrThrow('TWILIO_ACCOUNT_SID'),",
      'identity: (user) => user.userId,',
    ]);
  });

  describeTokenRouteChecks(target);

  it("answers a forged or expired bearer token with grantor's 401, and leaves the app's own routes to Nest", async () => {
    const forged = await createClient(state.app!.url).postJson('/api/token', '{}', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' });
    expect({ status: forged.status, json: forged.json }).toMatchObject({ status: 401, json: { error: { code: 'UNAUTHENTICATED' } } });
    expect(forged.headers.get('cache-control')).toBe('no-store');
    const profile = await createClient(state.app!.url).request('/profile');
    expect({ status: profile.status, json: profile.json }).toEqual({ status: 401, json: { message: 'Unauthorized', statusCode: 401 } });
  });
});

describe('Nest 12 (nest new) + a session login (express-session, Passport sessions, AuthenticatedGuard)', () => {
  const state = hostApp('nest-session-app');
  const target = sessionTarget(() => state.app!, { path: '/auth/login', status: 201 }, { parserInflates: true });

  it("uses the docs' lines", () => {
    expectDocsGive('nestjs', join(state.installed!.dir, 'src/app.module.ts'), ['guards: [AuthenticatedGuard]', 'identity: (user) => user.userId,']);
  });

  describeTokenRouteChecks(target);

  it("answers 401 after logout (the guard's false is grantor's 401 when nobody is logged in)", async () => {
    const client = createClient(state.app!.url);
    expect((await client.postForm('/auth/login', { username: 'alice', password: 'alice-pass' })).status).toBe(201);
    expect((await client.request('/auth/logout', { method: 'POST' })).status).toBe(201);
    const answer = await client.postJson('/api/token', '{}');
    expect({ status: answer.status, json: answer.json }).toMatchObject({ status: 401, json: { error: { code: 'UNAUTHENTICATED' } } });
  });
});
