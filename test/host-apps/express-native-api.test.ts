// grantor in an Express 5 API for a native app, installed from the packed tarballs with npm, with the
// docs' bearer-token lines pasted in, against a real OpenID Provider (oidc-provider, RS256) on
// loopback: once with bearerUser, once with passport-jwt + jwks-rsa (failWithError). Every failure
// must be grantor's 401 JSON with no-store, never Passport's text/plain or Express's HTML.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, signingKey, startProvider, type TestProvider } from '../bearer/provider.js';
import { expectGrantorError, expectToken, docsGive, TWILIO_ENV } from './support/grantor.js';
import { type AppProcess, installCommandLine, installHostApp, type InstalledApp, packPackages, type Packed, startApp } from './support/host-app.js';
import { createClient } from './support/http.js';

let provider: TestProvider;
let packed: Packed;
let installed: InstalledApp;

beforeAll(async () => {
  provider = await startProvider([await signingKey('rsa-1', 'RS256')]);
  packed = await packPackages(['@grantor/core', '@grantor/express']);
  installed = await installHostApp('express-native-api', packed);
  console.log(`express-native-api: ${installed.installCommand} took ${installed.install.ms} ms`);
}, 600_000);
afterAll(async () => {
  installed?.cleanup();
  packed?.cleanup();
  await provider?.close();
});

it("installs from the tarballs, with the docs' install line and lines", () => {
  expect(installed.install.code, installed.install.stderr).toBe(0);
  expect(docsGive('express', installCommandLine(packed))).toBe(true);
  const app = readFileSync(join(installed.dir, 'app.js'), 'utf8');
  const blocks = [
    /app\.use\(\n {4}'\/api\/token',\n {4}createTokenRoute\(\{[\s\S]+?\n {2}\);\n/,
    /passport\.use\(new JwtStrategy\([\s\S]+?\)\)\);\n/,
    /app\.use\('\/api\/token', passport\.authenticate[^\n]+\n/,
  ].map((pattern) => pattern.exec(app)?.[0]);
  for (const block of blocks) {
    expect(block, 'app.js holds the block').toBeDefined();
    expect(docsGive('express', block!), `the docs give:\n${block}`).toBe(true);
  }
});

const modes = [
  { auth: 'bearer', identity: 'google_2doauth2_7c1057', invalid: 'INVALID_BEARER_TOKEN', missing: 'UNAUTHENTICATED' },
  { auth: 'passport', identity: 'google-oauth2|1057', invalid: 'INVALID_BEARER_TOKEN', missing: 'UNAUTHENTICATED' },
] as const;

for (const mode of modes) {
  describe(`AUTH=${mode.auth}`, () => {
    let app: AppProcess;
    beforeAll(async () => {
      app = await startApp({
        cwd: installed.dir,
        args: ['app.js'],
        env: {
          ...TWILIO_ENV,
          AUTH: mode.auth,
          OIDC_ISSUER: provider.issuer,
          OIDC_AUDIENCE: AUDIENCE,
          OIDC_JWKS_URI: `${provider.issuer}/jwks`,
          TWIML_APP_SID: `AP${'3c'.repeat(16)}`,
        },
        readyPath: '/api/token',
      });
    }, 120_000);
    afterAll(() => app?.stop());

    const ask = (authorization?: string) => createClient(app.url).postJson('/api/token', '{}', authorization ? { authorization } : {});

    it("gives the provider's user a token, the identity from sub", async () => {
      expectToken(await ask(`Bearer ${await provider.issueToken()}`), mode.identity);
    });

    it("answers every failure with grantor's 401 JSON, no-store, and no stack trace in the log", async () => {
      const now = Math.floor(Date.now() / 1000);
      const attacker = await signingKey(provider.keys[0]!.kid, 'RS256');
      const [header, payload] = (await provider.issueToken()).split('.');
      const failures: [string, string | undefined, string][] = [
        ['no Authorization', undefined, mode.missing],
        ['another scheme', 'Basic YWxpY2U6YWxpY2UtcGFzcw==', mode.missing],
        ['expired', `Bearer ${await provider.sign({ exp: now - 60 })}`, mode.invalid],
        ['wrong audience', `Bearer ${await provider.sign({ aud: 'https://other-api.example' })}`, mode.invalid],
        ['wrong issuer', `Bearer ${await provider.sign({ iss: 'https://evil.example' })}`, mode.invalid],
        ["forged with another key under the provider's kid", `Bearer ${await provider.sign({}, {}, attacker)}`, mode.invalid],
        ['alg none', `Bearer ${header!.replace(/^.*$/, Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url'))}.${payload}.`, mode.invalid],
        ['garbage', 'Bearer not-a-jwt', mode.invalid],
      ];
      for (const [name, authorization, code] of failures) {
        const answer = await ask(authorization);
        expect(answer.status, `${name}: ${answer.text}`).toBe(401);
        expectGrantorError(answer, 401, code);
        if (code === 'INVALID_BEARER_TOKEN') expect(answer.headers.get('www-authenticate'), name).toBe('Bearer error="invalid_token"');
      }
      expect(app.stderr()).not.toMatch(/AuthenticationError|\bat .+:\d+:\d+/);
    });
  });
}
