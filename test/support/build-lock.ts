// What the suites that build before they test share: is a build older than its inputs, and one
// build at a time (test files run in parallel, and two builds of one package break each other).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** The latest modification time of a file, or of any file under a folder. */
export function newestChange(path: string): number {
  if (!statSync(path).isDirectory()) return statSync(path).mtimeMs;
  const files = readdirSync(path, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return Math.max(0, ...files.map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs));
}

/** Runs `build` holding the lock file named `name` for this checkout; a lock older than `staleAfterMs` was left by a killed run. */
export function whileLocked(name: string, staleAfterMs: number, build: () => void): void {
  const lock = join(tmpdir(), `grantor-${name}-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > staleAfterMs) rmSync(lock, { force: true });
      Atomics.wait(pause, 0, 0, 200);
    }
  }
  try {
    build();
  } finally {
    rmSync(lock, { force: true });
  }
}
