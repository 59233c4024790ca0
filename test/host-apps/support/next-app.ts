// A Next.js host app's life in a test file: grantor installed by name with npm, one `next build`
// without secrets, then `next start` on a free port as often as the file needs.
import { afterAll, beforeAll } from 'vitest';
import { appEnv, installHostApp, packPackages, run, startApp, type AppProcess, type InstalledApp, type Packed, type RunResult } from './host-app.js';

export const NEXT = 'node_modules/next/dist/bin/next';

export interface NextHostApp {
  /** Set once beforeAll has run. */
  packed?: Packed;
  app?: InstalledApp;
  /** `next build`, run only when npm install succeeded. */
  build?: RunResult;
  /** The installed and built app; throws when install or build failed (their tests say why). */
  built(): InstalledApp;
  /** `next start` in the built app, up once `GET readyPath` answers; stop it in afterAll. */
  start(env: Record<string, string> | ((port: number) => Record<string, string>), readyPath?: string): Promise<AppProcess>;
}

/** stdout and stderr of a run, for an assertion's message. */
export const output = (result: RunResult) => `${result.stdout}\n${result.stderr}`;

/**
 * Registers beforeAll (publish, `npm install` by name into a copy of test/host-apps/<name>, `next
 * build` in appEnv(), which has no TWILIO_*) and afterAll (remove both) in the calling file.
 */
export function useNextHostApp(name: string, packages = ['@grantor/core', '@grantor/next']): NextHostApp {
  const host: NextHostApp = {
    built() {
      if (!host.app || host.app.install.code !== 0 || host.build?.code !== 0) throw new Error('the app was not installed and built: see the first tests');
      return host.app;
    },
    start(env, readyPath = '/') {
      return startApp({
        cwd: host.built().dir,
        args: (port) => [NEXT, 'start', '-p', String(port), '-H', '127.0.0.1'],
        env: (port) => ({ ...(typeof env === 'function' ? env(port) : env), NEXT_TELEMETRY_DISABLED: '1' }),
        readyPath,
      });
    },
  };
  beforeAll(async () => {
    host.packed = await packPackages(packages);
    host.app = await installHostApp(name, host.packed);
    if (host.app.install.code === 0) host.build = await run(process.execPath, [NEXT, 'build'], { cwd: host.app.dir, env: appEnv({ NEXT_TELEMETRY_DISABLED: '1' }) });
    console.info(`${name}: ${host.app.installCommand} ${host.app.install.ms} ms, next build ${host.build?.ms ?? '-'} ms`);
  }, 400_000);
  afterAll(() => {
    host.app?.cleanup();
    host.packed?.cleanup();
  });
  return host;
}
