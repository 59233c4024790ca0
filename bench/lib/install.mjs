// Packages as users get them: workspace packages packed with `pnpm pack` and npm-installed from the
// tarballs into a temporary folder outside the workspace (no workspace link, no hoisted devDependency
// such as core's express-validator can be found), registry packages npm-installed the same way.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGE_DIRS = { '@grantor/core': 'core', '@grantor/hono': 'hono' };

const scratchDirs = [];
/** A fresh temporary folder, removed by removeScratch() (KEEP_BENCH_DIRS=1 keeps them for a look). */
export function scratch(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `grantor-bench-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}
export function removeScratch() {
  if (process.env.KEEP_BENCH_DIRS) return;
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** `pnpm pack` of workspace packages (from their built dist) into one folder: name → tarball path. */
export function packWorkspace(names) {
  const dir = scratch('packed');
  const tarballs = new Map();
  for (const name of names) {
    const output = execFileSync('pnpm', ['pack', '--pack-destination', dir, '--json'], {
      cwd: join(ROOT, 'packages', PACKAGE_DIRS[name]),
      encoding: 'utf8',
      timeout: 120_000,
    });
    tarballs.set(name, JSON.parse(output).filename);
  }
  return tarballs;
}

/**
 * `npm install --omit=dev <specs>` in a fresh folder: tarball paths or registry names. The same
 * command a user types; --prefer-offline lets the npm cache answer repeated runs.
 */
export function npmInstall(prefix, specs) {
  const dir = scratch(prefix);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `bench-${prefix}`, private: true, type: 'module' }));
  execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline', ...specs], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 300_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return dir;
}

/** Apparent file bytes and allocated disk bytes (st_blocks) under `dir`, links not followed. */
export function treeBytes(dir) {
  let bytes = 0;
  let diskBytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const stat = lstatSync(join(entry.parentPath, entry.name));
    bytes += stat.size;
    diskBytes += stat.blocks * 512;
  }
  return { bytes, diskBytes };
}

/** Every package folder in a node_modules tree (nested node_modules included): name, version, own bytes. */
export function installedPackages(nodeModules) {
  const found = [];
  const visit = (modulesDir) => {
    let entries;
    try {
      entries = readdirSync(modulesDir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const path = join(modulesDir, entry.name);
      if (entry.name.startsWith('@')) {
        visit(path);
        continue;
      }
      let manifest;
      try {
        manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      found.push({ name: manifest.name ?? basename(path), version: manifest.version, bytes: ownBytes(path) });
      visit(join(path, 'node_modules'));
    }
  };
  visit(nodeModules);
  return found;
}

function ownBytes(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += ownBytes(path);
    else if (entry.isFile()) bytes += lstatSync(path).size;
  }
  return bytes;
}

export const readManifest = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
