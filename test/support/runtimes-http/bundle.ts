// The workerd adapters' two worker modules (../workerd/fetch-worker.ts, hono-worker.ts), bundled for
// Bun, Deno and the Edge VM. Unlike the workerd bundle (`source` condition: core's TypeScript),
// @grantor/core is its BUILT dist here (rebuilt first when older than its sources, as test/runtimes
// does), resolved with the conditions a Workers or Vercel Edge build uses: what users of these
// runtimes run, tsdown's output included. @grantor/hono is its source: a thin layer over core's
// handleFetchRequest whose dist no test step rebuilds, so a stale one would test old code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { buildCoreIfStale, ROOT } from '../../runtimes/bundle.js';

export const WORKER_FILES = { fetch: 'fetch-worker.ts', hono: 'hono-worker.ts', bearer: '../../bearer/worker.ts' } as const;
export type WorkerKind = keyof typeof WORKER_FILES;

/** The global the Edge VM bundle sets: the worker and the env maker of host.ts. */
export const EDGE_GLOBAL = '__grantorEdge';

const honoSource: Plugin = {
  name: 'grantor-hono-source',
  setup(setup) {
    setup.onResolve({ filter: /^@grantor\/hono$/ }, () => ({ path: join(ROOT, 'packages/hono/src/index.ts') }));
  },
};

async function bundle(kind: WorkerKind, target: 'server' | 'edge'): Promise<string> {
  const worker = `../workerd/${WORKER_FILES[kind]}`;
  const contents =
    target === 'server'
      ? `import worker from '${worker}';\nimport { serveWithRuntime } from './host.ts';\nawait serveWithRuntime(worker);\n`
      : `import worker from '${worker}';\nimport { workerEnv } from './host.ts';\nglobalThis.${EDGE_GLOBAL} = { worker, workerEnv };\n`;
  const result = await build({
    stdin: { contents, resolveDir: import.meta.dirname, sourcefile: `${kind}-${target}.ts`, loader: 'ts' },
    bundle: true,
    write: false,
    format: target === 'server' ? 'esm' : 'iife',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    absWorkingDir: join(ROOT, 'test'),
    // An optional peer, loaded at run time only for app validators: the tests pass none.
    external: ['express-validator'],
    plugins: [honoSource],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

const built = new Map<string, Promise<string>>();

function once(key: string, make: () => Promise<string>): Promise<string> {
  let value = built.get(key);
  if (!value) {
    value = make();
    built.set(key, value);
  }
  return value;
}

/** The Edge VM's classic script: sets `globalThis.__grantorEdge`. */
export function edgeBundle(kind: WorkerKind): Promise<string> {
  buildCoreIfStale();
  return once(`${kind}-edge`, () => bundle(kind, 'edge'));
}

let dir: string | undefined;
let users = 0;
/** Written once per folder: a rewrite could be read half-done by a runtime starting meanwhile. */
const written = new Set<string>();

/**
 * The Bun/Deno server module, written to a folder outside the repository (so that neither finds a
 * project config); `release()` when its server has closed, and the folder goes with the last one.
 */
export async function acquireServerBundle(kind: WorkerKind): Promise<{ path: string; release(): void }> {
  buildCoreIfStale();
  users++;
  try {
    const text = await once(`${kind}-server`, () => bundle(kind, 'server'));
    dir ??= mkdtempSync(join(tmpdir(), 'grantor-runtimes-http-'));
    const path = join(dir, `${kind}-server.mjs`);
    if (!written.has(path)) writeFileSync(path, text);
    written.add(path);
    return { path, release };
  } catch (error) {
    release();
    throw error;
  }
}

function release(): void {
  if (--users > 0 || !dir) return;
  rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  written.clear();
}
