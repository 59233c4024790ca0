// grantor in two Nest 12 apps made as `nest new` makes one (its files written here, ESM as Nest 12's
// packages are, built with tsc), installed from packed tarballs with npm, with the docs'
// lines: the Nest docs' Passport recipe (local login, JWT bearer, AuthGuard('jwt'), the user's id in
// userId) with the credentials from ConfigService (forRootAsync), and a session login (express-session,
// Passport sessions, an AuthenticatedGuard that returns isAuthenticated()).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectDocsGive } from './support/grantor.js';
import { packPackages, type Packed } from './support/host-app.js';
import { createClient } from './support/http.js';
import { bearerLogIn, describeTokenRoute, formPostAnswers, installedHostApp } from './support/token-route-contract.js';

let packed: Packed;
beforeAll(async () => {
  packed = await packPackages(['@grantor/core', '@grantor/nestjs']);
});
afterAll(() => packed?.cleanup());

const hostApp = (name: string) => installedHostApp(() => packed, 'nestjs', name, ['dist/main.js'], true);

describe("Nest 12 (nest new) + the Nest docs' Passport JWT recipe, credentials from ConfigService", () => {
  const { state, start } = hostApp('nest-jwt-app');

  it("uses the docs' lines", () => {
    expectDocsGive('nestjs', join(state.installed!.dir, 'src/app.module.ts'), [
      "import { GrantorModule } from '@grantor/nestjs';",
      'GrantorModule.forRootAsync<User>({\n      imports: [ConfigModule],\n      inject: [ConfigService],',
      "guards: [AuthGuard('jwt')],",
      "accountSid: config.getOrThrow('TWILIO_ACCOUNT_SID'),",
      'identity: (user) => user.userId,',
    ]);
  });

  // Nest's app-wide body parser (express.json()) inflates gzip; the policy names no ttl.
  const app = describeTokenRoute({ start, logIn: bearerLogIn('/auth/login', 'access_token'), guestTtl: 3600, parserInflates: true });

  it("answers a forged or expired bearer token with grantor's 401, and leaves the app's own routes to Nest", async () => {
    const forged = await createClient(app().url).postJson('/api/token', '{}', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' });
    expect({ status: forged.status, json: forged.json }).toMatchObject({ status: 401, json: { error: { code: 'UNAUTHENTICATED' } } });
    expect(forged.headers.get('cache-control')).toBe('no-store');
    const profile = await createClient(app().url).request('/profile');
    expect({ status: profile.status, json: profile.json }).toEqual({ status: 401, json: { message: 'Unauthorized', statusCode: 401 } });
  });
});

describe('Nest 12 (nest new) + a session login (express-session, Passport sessions, AuthenticatedGuard)', () => {
  const { state, start } = hostApp('nest-session-app');

  it("uses the docs' lines", () => {
    expectDocsGive('nestjs', join(state.installed!.dir, 'src/app.module.ts'), ['guards: [AuthenticatedGuard]', 'identity: (user) => user.userId,']);
  });

  // The guard's false, before login and after logout, is grantor's 401 when nobody is logged in.
  describeTokenRoute({
    start,
    logIn: formPostAnswers('/auth/login', 201),
    logOut: formPostAnswers('/auth/logout', 201),
    guestTtl: 3600,
    parserInflates: true,
  });
});
