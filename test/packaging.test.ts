import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The published packages, as a user installs them: packed, then checked by attw and publint, and
// loaded from their built CommonJS and ESM entry points in a fresh Node process.
const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const libraries = [
  { name: '@grantor/core', dir: 'packages/core', exportName: 'createSigner' },
  { name: '@grantor/express', dir: 'packages/express', exportName: 'createTokenRoute' },
  { name: '@grantor/koa', dir: 'packages/koa', exportName: 'createTokenRoute' },
  { name: '@grantor/next', dir: 'packages/next', exportName: 'createTokenApiRoute' },
];

describe.each(libraries)('$name, packed', ({ dir, exportName }) => {
  const cwd = join(root, dir);

  it('is built (run pnpm build first)', () => {
    for (const file of ['index.mjs', 'index.cjs', 'index.d.mts', 'index.d.cts']) {
      expect(existsSync(join(cwd, 'dist', file)), `dist/${file}`).toBe(true);
    }
  });

  it('has types that resolve in every module mode (attw)', async () => {
    const { stdout } = await run(bin('attw'), ['--pack', '.', '--format', 'json'], { cwd });
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { analysis: { problems: unknown[] } };
    expect(report.analysis.problems).toEqual([]);
  }, 60_000);

  it('passes publint --strict', async () => {
    const { stdout } = await run(bin('publint'), ['--pack', 'npm', '--strict'], { cwd });
    expect(stdout).toContain('All good!');
  }, 60_000);

  it('loads from CommonJS and ESM', async () => {
    const cjs = `console.log(typeof require(${JSON.stringify(join(cwd, 'dist/index.cjs'))}).${exportName})`;
    const esm = `import(${JSON.stringify(join(cwd, 'dist/index.mjs'))}).then((m) => console.log(typeof m.${exportName}))`;
    expect((await run(process.execPath, ['-e', cjs], { cwd })).stdout.trim()).toBe('function');
    expect((await run(process.execPath, ['-e', esm], { cwd })).stdout.trim()).toBe('function');
  }, 30_000);
});
