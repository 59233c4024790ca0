// A meta-framework host app with core's fetch handler in the docs' route file and the app's own
// form login (POST /login, POST /logout, each answering 303 to /): @grantor/core installed by name
// with npm from the run's registry, type-checked and built without any TWILIO_* variable, then run through the
// shared token-route contract.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { docsGive } from './grantor.js';
import { appEnv, installCommandLine, installHostApp, packPackages, run, startApp, type InstalledApp, type Packed, type RunResult } from './host-app.js';
import type { Client } from './http.js';
import { describeTokenRoute, type HostAppUnderTest } from './token-route-contract.js';

export interface FormLoginApp extends Pick<HostAppUnderTest, 'failsOnMalformedHost'> {
  /** The folder under test/host-apps/. */
  app: string;
  /** The package.json script that type-checks the app, and what its output says when all is well. */
  check: { script: string; passes: RegExp };
  /** The token route's file, which the docs give whole. */
  routeFile: string;
  /** How to start the built server (`node` plus these arguments). */
  startArgs: string[];
}

/** A browser's form post, with the page's Origin (the frameworks refuse a cross-site one). */
const formPost = (client: Client, url: string, path: string, fields: Record<string, string>) => client.postForm(path, fields, { origin: url });

export function describeFormLoginApp({ app, check, routeFile, startArgs, failsOnMalformedHost }: FormLoginApp): void {
  let packed: Packed;
  let installed: InstalledApp;
  let checked: RunResult;
  let build: RunResult;
  beforeAll(async () => {
    packed = await packPackages(['@grantor/core']);
    installed = await installHostApp(app, packed);
    // appEnv() has no TWILIO_* variable: the build evaluates the route file, which creates the route.
    // The frameworks' telemetry stays off: the tests reach no host but the npm registry.
    const env = appEnv({ ASTRO_TELEMETRY_DISABLED: '1', NUXT_TELEMETRY_DISABLED: '1' });
    checked = await run('npm', ['run', check.script], { cwd: installed.dir, env });
    build = await run('npm', ['run', 'build'], { cwd: installed.dir, env });
    console.log(`${app}: ${installed.installCommand} took ${installed.install.ms} ms, npm run ${check.script} ${checked.ms} ms, npm run build ${build.ms} ms`);
  }, 600_000);
  afterAll(() => {
    installed?.cleanup();
    packed?.cleanup();
  });

  it(`installs by name, passes npm run ${check.script} and builds without TWILIO_*`, () => {
    expect(installed.install.code, installed.install.stderr).toBe(0);
    expect(checked.code, `${checked.stdout}\n${checked.stderr}`).toBe(0);
    expect(checked.stdout + checked.stderr).toMatch(check.passes);
    expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
  });

  it(`the token route is the docs' ${routeFile}, and the install line is the docs'`, () => {
    const route = readFileSync(join(installed.dir, routeFile), 'utf8');
    expect(docsGive('core', route), `the docs give ${routeFile}`).toBe(true);
    expect(docsGive('core', installCommandLine(packed)), `the docs give ${installCommandLine(packed)}`).toBe(true);
  });

  describeTokenRoute({
    start: (env) =>
      startApp({ cwd: installed.dir, args: startArgs, env: (port) => ({ ...env, HOST: '127.0.0.1', ORIGIN: `http://127.0.0.1:${port}` }), readyPath: '/' }),
    async logIn(client, running, username) {
      const login = await formPost(client, running.url, '/login', { username, password: `${username}-pass` });
      expect([login.status, login.headers.get('location')], login.text).toEqual([303, '/']);
    },
    async logOut(client, running) {
      expect((await formPost(client, running.url, '/logout', {})).status).toBe(303);
    },
    guestTtl: 600,
    rateLimit: true,
    startsWithoutCredentials: true,
    failsOnMalformedHost,
  });
}
