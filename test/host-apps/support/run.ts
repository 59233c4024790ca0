// Running commands for the host-app tests, and the lock under which the test files of one run take
// turns at the workspace (builds, packs and publishes).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const ROOT = join(import.meta.dirname, '..', '..', '..');

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

export function workspacePackages(): Map<string, string> {
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

/** The names of the packages under packages/ that are published (not private). */
export function publishedPackageNames(): string[] {
  return [...workspacePackages()]
    .filter(([, dir]) => !(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { private?: boolean }).private)
    .map(([name]) => name);
}

/** dist is missing, or some source file changed after the oldest built file was written. */
export function isStale(dir: string): boolean {
  const built = mtimes(join(dir, 'dist'));
  return built.length === 0 || Math.max(...mtimes(join(dir, 'src'))) > Math.min(...built);
}


// Host-app test files run in parallel workers; a build (tsdown empties dist first) must not run
// while another file packs, so builds and packs of all workers take turns on one lock.
export async function withWorkspaceLock<T>(fn: () => Promise<T>): Promise<T> {
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

