// Footprint: cold import time in fresh processes, and the size of each package's production tree.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, rotate } from './lib/stats.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const CORE_DIR = join(BENCH_DIR, '..', 'packages', 'core');

export const IMPORTS = [
  { label: "`require('@grantor/core')`", specifier: '@grantor/core', esm: false },
  { label: "`import '@grantor/core'` (ESM)", specifier: '@grantor/core', esm: true },
  // core's two dependencies alone, resolved as core resolves them: what they add to core's import.
  { label: "of which core's `require('express-validator')`", specifier: 'express-validator', esm: false, cwd: CORE_DIR },
  { label: "of which core's `require('jsonwebtoken')`", specifier: 'jsonwebtoken', esm: false, cwd: CORE_DIR },
  { label: "`require('twilio')`", specifier: 'twilio', esm: false },
  { label: "`require('twilio/lib/jwt/AccessToken')`", specifier: 'twilio/lib/jwt/AccessToken', esm: false },
];

/** Milliseconds the import itself takes in a fresh node process (process start-up excluded). */
function coldImportMs({ specifier, esm, cwd = BENCH_DIR }) {
  const load = esm ? `await import(${JSON.stringify(specifier)})` : `require(${JSON.stringify(specifier)})`;
  const script = `const start = process.hrtime.bigint(); ${load}; process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));`;
  const args = esm ? ['--input-type=module', '-e', script] : ['-e', script];
  return Number(execFileSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 30_000 }));
}

export function measureColdImports({ runs = 10, log = () => {} } = {}) {
  const samples = IMPORTS.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const index of rotate([...IMPORTS.keys()], run)) samples[index].push(coldImportMs(IMPORTS[index]));
  }
  log(`footprint: ${runs} cold imports of each module done`);
  return IMPORTS.map((entry, index) => ({ label: entry.label, medianMs: median(samples[index]), minMs: Math.min(...samples[index]) }));
}

/** Bytes of the files under `dir`, not following links and skipping nested node_modules. */
function directoryBytes(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += directoryBytes(path);
    else if (entry.isFile()) bytes += lstatSync(path).size;
  }
  return bytes;
}

/** Where Node would find package `name` when required from `fromDir`: the nearest node_modules up the tree. */
function resolvePackageDir(fromDir, name) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const readManifest = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/**
 * The transitive production dependencies (dependencies + installed optionalDependencies) as pnpm
 * resolved them in this workspace, each package counted once.
 */
function productionTree(rootDir) {
  const packages = new Map();
  const visit = (fromDir, manifest) => {
    const names = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
    for (const name of names) {
      const dir = resolvePackageDir(fromDir, name);
      if (dir === undefined) {
        if (manifest.optionalDependencies?.[name]) continue;
        throw new Error(`${manifest.name} depends on ${name}, which is not installed`);
      }
      if (packages.has(dir)) continue;
      const dependency = readManifest(dir);
      packages.set(dir, { name: dependency.name, version: dependency.version, bytes: directoryBytes(dir) });
      visit(dir, dependency);
    }
  };
  visit(rootDir, readManifest(rootDir));
  return [...packages.values()];
}

/** Unpacked bytes of the tarball `pnpm pack` makes for a workspace package: what npm would install. */
function packedBytes(packageDir) {
  const scratch = mkdtempSync(join(tmpdir(), 'grantor-bench-pack-'));
  try {
    const output = execFileSync('pnpm', ['pack', '--pack-destination', scratch], { cwd: packageDir, encoding: 'utf8', timeout: 60_000 });
    const tarball = readdirSync(scratch).find((file) => file.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack made no tarball: ${output}`);
    execFileSync('tar', ['-xzf', join(scratch, tarball), '-C', scratch]);
    return directoryBytes(join(scratch, 'package'));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function describeTree(label, ownBytes, tree) {
  const dependencyBytes = tree.reduce((sum, entry) => sum + entry.bytes, 0);
  return {
    label,
    ownBytes,
    dependencyCount: tree.length,
    totalBytes: ownBytes + dependencyBytes,
    largest: [...tree].sort((a, b) => b.bytes - a.bytes).slice(0, 4),
  };
}

export function measureInstallSizes({ log = () => {} } = {}) {
  const twilioDir = resolvePackageDir(BENCH_DIR, 'twilio');
  const sizes = [
    describeTree(`@grantor/core ${readManifest(CORE_DIR).version}`, packedBytes(CORE_DIR), productionTree(CORE_DIR)),
    describeTree(`twilio ${readManifest(twilioDir).version}`, directoryBytes(twilioDir), productionTree(twilioDir)),
  ];
  log('footprint: install sizes done');
  return sizes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ imports: measureColdImports({ log: console.error }), sizes: measureInstallSizes({ log: console.error }) }, null, 2));
}
