// Host apps install grantor as a user would: the packages packed from their built dist, installed
// with npm from the tarballs into a copy of the app outside the workspace (so no workspace link or
// hoisted module can help), then run as a child process on a free port.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const HOST_APPS = join(ROOT, 'test', 'host-apps');
// Set KEEP_HOST_APPS=1 to keep the temporary app folders for a look after a failure.
const keep = Boolean(process.env.KEEP_HOST_APPS);

export interface PackedPackage {
  name: string;
  version: string;
  /** The package's folder in the workspace. */
  dir: string;
  /** Absolute path of the tarball, named as `pnpm pack` names it: grantor-core-0.1.0.tgz. */
  tarball: string;
}

export interface Packed {
  /** The temporary folder holding the tarballs. */
  dir: string;
  packages: PackedPackage[];
  /** Removes the tarballs. */
  cleanup(): void;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds, for the report, never for an assertion. */
  ms: number;
}

/** Runs a command to its end (in appEnv() unless `env` is given); never rejects on a non-zero exit (the caller decides what failed). */
export async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      cwd: options.cwd,
      env: options.env ?? appEnv(),
      maxBuffer: 64 * 1024 * 1024,
      timeout: options.timeoutMs ?? 300_000,
    });
    return { code: 0, stdout, stderr, ms: Date.now() - started };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string; message: string };
    if (typeof e.code !== 'number' && e.stdout === undefined) throw error; // could not start at all
    return { code: typeof e.code === 'number' ? e.code : null, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message, ms: Date.now() - started };
  }
}

function workspacePackages(): Map<string, string> {
  const byName = new Map<string, string>();
  for (const entry of readdirSync(join(ROOT, 'packages'))) {
    const manifest = join(ROOT, 'packages', entry, 'package.json');
    if (existsSync(manifest)) byName.set((JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name, join(ROOT, 'packages', entry));
  }
  return byName;
}

function mtimes(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs);
}

/** dist is missing, or some source file changed after the oldest built file was written. */
function isStale(dir: string): boolean {
  const built = mtimes(join(dir, 'dist'));
  return built.length === 0 || Math.max(...mtimes(join(dir, 'src'))) > Math.min(...built);
}

// Host-app test files run in parallel workers; a build (tsdown empties dist first) must not run
// while another file packs, so builds and packs of all workers take turns on one lock.
async function withWorkspaceLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), `grantor-host-apps-${basename(ROOT)}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      if (!lockHolderAlive(lock)) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockHolderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // Created but the pid not yet written: give its holder a moment, unless it is old.
    try {
      return Date.now() - statSync(lock).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Packs the named workspace packages (`@grantor/core`, ...) with `pnpm pack`, building first any
 * whose dist is missing or older than its src. Call once per test file, in beforeAll.
 */
export async function packPackages(names: string[]): Promise<Packed> {
  const all = workspacePackages();
  const dir = mkdtempSync(join(tmpdir(), 'grantor-packed-'));
  const packages = await withWorkspaceLock(async () => {
    const packed: PackedPackage[] = [];
    for (const name of names) {
      const pkgDir = all.get(name);
      if (!pkgDir) throw new Error(`${name} is not a package under packages/`);
      if (isStale(pkgDir)) {
        const build = await run('pnpm', ['--filter', name, 'build'], { cwd: ROOT });
        if (build.code !== 0) throw new Error(`pnpm --filter ${name} build failed:\n${build.stdout}\n${build.stderr}`);
      }
      const pack = await run('pnpm', ['pack', '--pack-destination', dir, '--json'], { cwd: pkgDir });
      if (pack.code !== 0) throw new Error(`pnpm pack of ${name} failed:\n${pack.stdout}\n${pack.stderr}`);
      const report = JSON.parse(pack.stdout) as { name: string; version: string; filename: string };
      packed.push({ name, version: report.version, dir: pkgDir, tarball: report.filename });
    }
    return packed;
  });
  return { dir, packages, cleanup: () => keep || rmSync(dir, { recursive: true, force: true }) };
}

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

/** `npm install ./grantor-core-0.1.0.tgz ./grantor-express-0.1.0.tgz`: the README's line for these packages. */
export function installCommandLine(packed: Packed, names = packed.packages.map((p) => p.name)): string {
  return `npm install ${names.map((name) => `./${basename(tarballOf(packed, name))}`).join(' ')}`;
}

function tarballOf(packed: Packed, name: string): string {
  const found = packed.packages.find((p) => p.name === name);
  if (!found) throw new Error(`${name} was not packed`);
  return found.tarball;
}

/**
 * Copies test/host-apps/<app>/ into a fresh temporary folder, copies the tarballs next to it and runs
 * the README's `npm install ./grantor-core-0.1.0.tgz ./grantor-express-0.1.0.tgz`, which also
 * installs the app's own dependencies from its package.json.
 */
export async function installHostApp(app: string, packed: Packed, options: { packages?: string[] } = {}): Promise<InstalledApp> {
  const source = join(HOST_APPS, app);
  if (!existsSync(join(source, 'package.json'))) throw new Error(`test/host-apps/${app}/package.json does not exist`);
  const dir = mkdtempSync(join(tmpdir(), `grantor-host-${app}-`));
  cpSync(source, dir, { recursive: true, filter: (path) => !/[\\/](node_modules|\.next)$/.test(path) });
  const wanted = options.packages ?? packed.packages.map((p) => p.name);
  const tarballs = wanted.map((name) => {
    cpSync(tarballOf(packed, name), join(dir, basename(tarballOf(packed, name))));
    return `./${basename(tarballOf(packed, name))}`;
  });
  // --prefer-offline: the npm cache makes repeated runs fast; anything missing still comes from the registry.
  const args = ['install', ...tarballs, '--no-audit', '--no-fund', '--prefer-offline'];
  const install = await run('npm', args, { cwd: dir });
  return {
    dir,
    install,
    installCommand: `npm ${args.join(' ')}`,
    cleanup: () => keep || rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The environment a host app runs in: this process's, without what the test runner and pnpm set
 * (NODE_ENV, VITEST_*, npm_config_* and the like, which npm would obey), any real Twilio credentials
 * or PORT, plus `overrides` (a value of undefined removes a key).
 */
export function appEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(NODE_ENV|PORT|VITEST.*|TWILIO_.*|npm_.*|pnpm_.*)$/i.test(key)) continue;
    env[key] = value;
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
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
