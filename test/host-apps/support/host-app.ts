// Host apps install grantor as a user would: by name with npm, from the test run's registry (Verdaccio
// on loopback, where the release command's publish step put every package, see registry.ts), into a
// copy of the app outside the workspace (so no workspace link or hoisted module can help), then run
// as a child process on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishedRegistry, type PublishedPackage } from './registry.js';
import { appEnv, ROOT, run, type RunResult } from './run.js';

export { appEnv, ROOT, run, type RunResult } from './run.js';
export const HOST_APPS = join(ROOT, 'test', 'host-apps');
// Set KEEP_HOST_APPS=1 to keep the temporary app folders for a look after a failure.
const keep = Boolean(process.env.KEEP_HOST_APPS);

/** A package as the registry holds it (the tarball is the one the registry serves). */
export type PackedPackage = PublishedPackage;

export interface Packed {
  /** The registry's URL (http://127.0.0.1:<port>/<prefix>/). */
  registry: string;
  /** The packages a test file asked for. */
  packages: PackedPackage[];
  /** Nothing to remove: the run's registry and its tarballs go when the run ends. */
  cleanup(): void;
}

/**
 * The named workspace packages (`@grantor/core`, ...) as published to the run's registry (which
 * holds every packages/* package, built first where dist is missing or older than src). Call once
 * per test file, in beforeAll.
 */
export async function publishPackages(names: string[]): Promise<Packed> {
  const registry = await publishedRegistry();
  const packages = names.map((name) => {
    const found = registry.packages.find((p) => p.name === name);
    if (!found) throw new Error(`${name} is not a package under packages/`);
    return found;
  });
  return { registry: registry.url, packages, cleanup: () => {} };
}

/** The name host-app tests used when the packages came as tarballs: publishPackages. */
export const packPackages = publishPackages;

/** The package.json inside a tarball, and the list of files it holds (without the `package/` prefix). */
export async function readTarball(tarball: string): Promise<{ manifest: Record<string, unknown>; files: string[] }> {
  const list = await run('tar', ['-tzf', tarball], { cwd: tmpdir() });
  const manifest = await run('tar', ['-xOzf', tarball, 'package/package.json'], { cwd: tmpdir() });
  if (list.code !== 0 || manifest.code !== 0) throw new Error(`cannot read ${tarball}: ${list.stderr}${manifest.stderr}`);
  const files = list.stdout.split('\n').filter(Boolean).map((path) => path.replace(/^package\//, ''));
  return { manifest: JSON.parse(manifest.stdout) as Record<string, unknown>, files };
}

export interface InstalledApp {
  /** The app's temporary folder. */
  dir: string;
  /** The `npm install` run (its exit code is not checked here: a test asserts it). */
  install: RunResult;
  /** The exact command line, as a user would type it. */
  installCommand: string;
  cleanup(): void;
}

/**
 * The packages a user names to npm for `names`: those no other one of them depends on
 * (`@grantor/express` brings `@grantor/core`).
 */
function topLevel(packed: Packed, names: string[]): string[] {
  const dependencies = new Set(
    names.flatMap((name) => {
      const found = packed.packages.find((p) => p.name === name);
      if (!found) throw new Error(`${name} was not published for this file: pass it to publishPackages`);
      const manifest = JSON.parse(readFileSync(join(found.dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      return Object.keys(manifest.dependencies ?? {});
    }),
  );
  return names.filter((name) => !dependencies.has(name));
}

/** `npm install @grantor/express`: the docs' line for these packages, by name. */
export function installCommandLine(packed: Packed, names = packed.packages.map((p) => p.name)): string {
  return `npm install ${topLevel(packed, names).join(' ')}`;
}

/**
 * Copies test/host-apps/<app>/ into a fresh temporary folder, points the app's npm at the run's
 * registry for the @grantor scope (its .npmrc, as before the first publish) and runs the docs'
 * `npm install @grantor/express`, which also installs the app's own dependencies from its
 * package.json (from the default registry).
 */
export async function installHostApp(app: string, packed: Packed, options: { packages?: string[] } = {}): Promise<InstalledApp> {
  const source = join(HOST_APPS, app);
  if (!existsSync(join(source, 'package.json'))) throw new Error(`test/host-apps/${app}/package.json does not exist`);
  const dir = mkdtempSync(join(tmpdir(), `grantor-host-${app}-`));
  cpSync(source, dir, { recursive: true, filter: (path) => !/[\\/](node_modules|\.next)$/.test(path) });
  appendFileSync(join(dir, '.npmrc'), `\n@grantor:registry=${packed.registry}\n`);
  const names = topLevel(packed, options.packages ?? packed.packages.map((p) => p.name));
  // --prefer-offline: the npm cache makes repeated runs fast; anything missing still comes from the
  // registry (the run's registry has a new URL each run, so its packages are never taken from the cache).
  const args = ['install', ...names, '--no-audit', '--no-fund', '--prefer-offline'];
  const install = await run('npm', args, { cwd: dir });
  return {
    dir,
    install,
    installCommand: `npm ${args.join(' ')}`,
    cleanup: () => keep || rmSync(dir, { recursive: true, force: true }),
  };
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface AppProcess {
  child: ChildProcess;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Everything the app wrote so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the app (its whole process group) and waits for it to exit. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** The app's folder. */
  cwd: string;
  /** Default `node`. */
  command?: string;
  /** The arguments, given the chosen port (e.g. `(port) => ['node_modules/next/dist/bin/next', 'start', '-p', String(port)]`). */
  args: string[] | ((port: number) => string[]);
  /** Added to appEnv(), or given the chosen port (for an origin such as NEXTAUTH_URL); PORT is set to the port. */
  env?: Record<string, string | undefined> | ((port: number) => Record<string, string | undefined>);
}

/** Starts the app on a free port (in `PORT`, and in `args` if given as a function), capturing its output. */
export async function spawnApp(options: SpawnOptions): Promise<AppProcess> {
  const port = await freePort();
  const args = typeof options.args === 'function' ? options.args(port) : options.args;
  // Its own process group, so stop() also ends whatever the app started (npm, next's workers).
  const child = spawn(options.command ?? process.execPath, args, {
    cwd: options.cwd,
    env: appEnv({ PORT: String(port), ...(typeof options.env === 'function' ? options.env(port) : options.env) }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      stderr += String(error);
      resolve({ code: null, signal: null });
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop() {
      if (done) return;
      signalGroup('SIGTERM');
      const forced = setTimeout(() => signalGroup('SIGKILL'), 5_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

/**
 * spawnApp, then waits until `GET readyPath` gets any HTTP answer. Rejects with the app's output
 * if it exits first or is not up within `timeoutMs` (a safety net, not a measurement).
 */
export async function startApp(options: SpawnOptions & { readyPath?: string; timeoutMs?: number }): Promise<AppProcess> {
  const app = await spawnApp(options);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let exitedEarly = false;
  void app.exited.then(() => (exitedEarly = true));
  while (!(await answers(`${app.url}${options.readyPath ?? '/'}`))) {
    if (exitedEarly || Date.now() > deadline) {
      await app.stop();
      const { code } = await app.exited;
      throw new Error(
        `${exitedEarly ? `the app exited (code ${code})` : 'the app did not answer in time'}\n--- stdout\n${app.stdout()}\n--- stderr\n${app.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return app;
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}
