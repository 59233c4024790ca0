// An Express host app written in TypeScript with an auth library other than Passport: installed from
// the run's registry by name with npm (@grantor/express), compiled with `tsc` without TWILIO_* (so the docs'
// createTokenRoute block, pasted into src/server.ts, is type-checked against the packed types), then
// run through the shared token-route contract with the library's own login.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { docsGive } from './grantor.js';
import { appEnv, installCommandLine, installHostApp, packPackages, run, startApp, type InstalledApp, type Packed, type RunResult } from './host-app.js';
import { describeTokenRoute, type HostAppUnderTest } from './token-route-contract.js';

export interface ExpressHostApp extends Pick<HostAppUnderTest, 'logIn' | 'logOut'> {
  /** The folder under test/host-apps/. */
  app: string;
  /** The auth library's own variables (its secret). */
  env: Record<string, string>;
  /** A path the app answers once it is up. */
  readyPath: string;
  /** The app's own express.json() inflates a gzip body before the route. */
  parserInflates?: boolean;
}

/** Describes the app's tests; returns its installed folder, for tests of the app's own. */
export function describeExpressHostApp({ app, env, readyPath, parserInflates, logIn, logOut }: ExpressHostApp): () => string {
  let packed: Packed;
  let installed: InstalledApp;
  let build: RunResult;
  beforeAll(async () => {
    packed = await packPackages(['@grantor/core', '@grantor/express']);
    installed = await installHostApp(app, packed);
    build = await run('npm', ['run', 'build'], { cwd: installed.dir, env: appEnv() });
    console.log(`${app}: ${installed.installCommand} took ${installed.install.ms} ms, npm run build (tsc) ${build.ms} ms`);
  }, 600_000);
  afterAll(() => {
    installed?.cleanup();
    packed?.cleanup();
  });

  it('installs by name and compiles with tsc, the user typed from getUser', () => {
    expect(installed.install.code, installed.install.stderr).toBe(0);
    expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
  });

  it("the token route is the docs', and so is the install line", () => {
    const server = readFileSync(join(installed.dir, 'src/server.ts'), 'utf8');
    const route = /app\.use\(\n {2}'\/api\/token',\n[\s\S]+?\n\);\n/.exec(server)?.[0];
    expect(route, 'server.ts mounts the token route').toBeDefined();
    expect(docsGive('express', route!), 'the docs give the token route block').toBe(true);
    expect(docsGive('express', installCommandLine(packed)), `the docs give ${installCommandLine(packed)}`).toBe(true);
  });

  describeTokenRoute({
    start: (startEnv) =>
      startApp({ cwd: installed.dir, args: ['dist/server.js'], env: (port) => ({ ...startEnv, ...env, ORIGIN: `http://127.0.0.1:${port}` }), readyPath }),
    logIn,
    logOut,
    guestTtl: 600,
    parserInflates,
    rateLimit: true,
    startsWithoutCredentials: true,
  });
  return () => installed.dir;
}
