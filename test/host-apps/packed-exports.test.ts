import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPackages, readTarball, type Packed } from './support/host-app.js';
import { publishedPackageNames } from './support/run.js';

// What the registry hands a user, as the release command's publish step packed it: every entry point
// in the packed manifest must be a file in the tarball (the workspace's `source` condition points at
// src/, which is not packed). Every package under packages/ that is not private.
const PACKAGES = publishedPackageNames();

/** Every path an exports map can resolve to, with the chain of keys that leads to it. */
function exportTargets(value: unknown, at: string): Array<[string, string]> {
  if (typeof value === 'string') return [[at, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => exportTargets(inner, `${at}[${JSON.stringify(key)}]`));
}

let packed: Packed;
beforeAll(async () => {
  packed = await packPackages(PACKAGES);
});
afterAll(() => packed?.cleanup());

describe.each(PACKAGES)('%s, as pnpm packs it', (name) => {
  it('points main, module, types, bin and every exports condition at files in the tarball', async () => {
    const { manifest, files } = await readTarball(packed.packages.find((p) => p.name === name)!.tarball);
    const bin = typeof manifest.bin === 'string' ? { [String(manifest.name)]: manifest.bin } : manifest.bin;
    const targets: Array<[string, string]> = [
      ...exportTargets(manifest.exports, 'exports'),
      ...exportTargets(bin, 'bin'),
      ...(['main', 'module', 'types', 'typings'] as const).flatMap((field) => exportTargets(manifest[field], field)),
    ];
    expect(targets.length).toBeGreaterThan(0);
    const missing = targets.filter(([, path]) => !files.includes(path.replace(/^\.\//, '')));
    expect(missing, `entry points not in ${name}'s tarball`).toEqual([]);
  });

  it('depends on the other grantor packages by version, not workspace:', async () => {
    const { manifest } = await readTarball(packed.packages.find((p) => p.name === name)!.tarball);
    const ranges = Object.values({ ...(manifest.dependencies as object), ...(manifest.peerDependencies as object) }) as string[];
    expect(ranges.filter((range) => range.startsWith('workspace:'))).toEqual([]);
  });
});
