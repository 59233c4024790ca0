/**
 * Builds what the non-Node runtimes load: @grantor/core's BUILT dist (rebuilt first when older than
 * its sources), bundled with esbuild the way a Workers app is (platform neutral, conditions workerd,
 * worker, browser: `@grantor/core` resolves to dist/index.mjs, never to the `source` TypeScript).
 * The built package is what users run, so tsdown's output is under test too, not only the source.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { newestChange, whileLocked } from '../support/build-lock.js';

export const ROOT = resolve(import.meta.dirname, '../..');
const CORE = join(ROOT, 'packages/core');
export const CORE_DIST = join(CORE, 'dist/index.mjs');
const BUILD_INPUTS = [join(CORE, 'src'), join(CORE, 'package.json'), join(CORE, 'tsdown.config.ts'), join(ROOT, 'tsdown.base.ts')];

const distAge = () => statSync(CORE_DIST, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const isStale = () => BUILD_INPUTS.some((input) => newestChange(input) > distAge());

/** `pnpm --filter @grantor/core build` when dist is missing or older than its inputs; test files run in parallel, so under a lock. */
export function buildCoreIfStale(): void {
  if (!isStale()) return;
  whileLocked('core-build', 5 * 60_000, () => {
    if (!isStale()) return;
    const result = spawnSync('pnpm', ['-r', '--filter', '@grantor/core', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`building @grantor/core failed:\n${result.stdout}\n${result.stderr}`);
  });
}

/** The file of core's dist that defines `cryptoRuntime` at top level (tsdown puts it in a chunk that index and internal share). */
function cryptoRuntimeFile(): string {
  const dist = dirname(CORE_DIST);
  const file = readdirSync(dist).find((name) => name.endsWith('.mjs') && /^const cryptoRuntime = /m.test(readFileSync(join(dist, name), 'utf8')));
  if (!file) throw new Error(`no file of ${dist} has a top-level "const cryptoRuntime": update test/runtimes/bundle.ts`);
  return file;
}

/**
 * Exposes the dist's own `cryptoRuntime` (not exported by the package) as `__cryptoRuntime` of
 * dist/index.mjs, so the runtime reports which implementation that very module instance chose.
 * Fails the build if tsdown renamed it.
 */
const exposeCryptoRuntime: Plugin = {
  name: 'expose-crypto-runtime',
  setup(setup) {
    const definedIn = cryptoRuntimeFile();
    setup.onLoad({ filter: /[\\/]packages[\\/]core[\\/]dist[\\/][^\\/]+\.mjs$/ }, ({ path }) => {
      const contents = readFileSync(path, 'utf8');
      const name = basename(path);
      if (name === definedIn) return { contents: `${contents}\nexport { cryptoRuntime as __cryptoRuntime };\n`, loader: 'js' };
      if (name === 'index.mjs') return { contents: `${contents}\nexport { __cryptoRuntime } from './${definedIn}';\n`, loader: 'js' };
      return undefined;
    });
    // twilio-node's AccessToken module needs jsonwebtoken only in toJwt(), which the runtimes never call on it.
    setup.onResolve({ filter: /^jsonwebtoken$/ }, () => ({ path: 'jsonwebtoken', namespace: 'stub' }));
    setup.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'module.exports = { sign() { throw new Error("jsonwebtoken is stubbed in the runtime bundle"); } };',
      loader: 'js',
    }));
  },
};

export interface HarnessBundle {
  /** The folder holding the files, outside the repository so that Deno and Bun find no project config. */
  dir: string;
  /** ES module: a Worker (default export `fetch`), and `runJson` for Bun and Deno. */
  esmPath: string;
  esm: string;
  /** The same as a classic script, for the Edge VM: sets `globalThis.__grantorHarness`. */
  iife: string;
  remove(): void;
}

/** Builds the dist if stale, then bundles test/runtimes/harness-entry.ts as ESM and as an IIFE. */
export async function bundleHarness(): Promise<HarnessBundle> {
  buildCoreIfStale();
  const dir = mkdtempSync(join(tmpdir(), 'grantor-runtimes-'));
  const common: BuildOptions & { write: false } = {
    entryPoints: [join(import.meta.dirname, 'harness-entry.ts')],
    bundle: true,
    write: false,
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    target: 'es2022',
    absWorkingDir: join(ROOT, 'test'),
    plugins: [exposeCryptoRuntime],
    logLevel: 'silent',
  };
  const [esm, iife] = await Promise.all([build({ ...common, format: 'esm' }), build({ ...common, format: 'iife' })]);
  const bundle: HarnessBundle = {
    dir,
    esmPath: join(dir, 'harness.mjs'),
    esm: esm.outputFiles[0]!.text,
    iife: iife.outputFiles[0]!.text,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  writeFileSync(bundle.esmPath, bundle.esm);
  return bundle;
}
