import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The published packages, as a user installs them: packed by pnpm (which applies publishConfig, as
// npm pack would not), then checked by attw and publint, and loaded from their built CommonJS and ESM
// entry points in a fresh Node process.
const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const libraries = [
  { name: '@grantor/core', dir: 'packages/core', exportName: 'createSigner' },
  { name: '@grantor/express', dir: 'packages/express', exportName: 'createTokenRoute' },
  { name: '@grantor/koa', dir: 'packages/koa', exportName: 'createTokenRoute' },
  { name: '@grantor/next', dir: 'packages/next', exportName: 'createTokenApiRoute' },
  { name: '@grantor/hono', dir: 'packages/hono', exportName: 'createTokenRoute' },
  { name: '@grantor/fastify', dir: 'packages/fastify', exportName: 'grantor' },
  { name: '@grantor/nestjs', dir: 'packages/nestjs', exportName: 'GrantorModule' },
  { name: '@grantor/client', dir: 'packages/client', exportName: 'createTokenSource' },
];

describe.each(libraries)('$name, packed', ({ dir, exportName }) => {
  const cwd = join(root, dir);

  it('is built (run pnpm build first)', () => {
    for (const file of ['index.mjs', 'index.cjs', 'index.d.mts', 'index.d.cts']) {
      expect(existsSync(join(cwd, 'dist', file)), `dist/${file}`).toBe(true);
    }
  });

  it('has types that resolve in every module mode (attw)', async () => {
    const destination = mkdtempSync(join(tmpdir(), 'grantor-attw-'));
    await run('pnpm', ['pack', '--pack-destination', destination], { cwd });
    const tarball = join(destination, readdirSync(destination)[0]!);
    const { stdout } = await run(bin('attw'), [tarball, '--format', 'json'], { cwd }).finally(() => rmSync(destination, { recursive: true, force: true }));
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { analysis: { problems: unknown[] } };
    expect(report.analysis.problems).toEqual([]);
  }, 60_000);

  it('passes publint --strict', async () => {
    const { stdout } = await run(bin('publint'), ['--pack', 'pnpm', '--strict'], { cwd });
    expect(stdout).toContain('All good!');
  }, 60_000);

  it('loads from CommonJS and ESM', async () => {
    const cjs = `console.log(typeof require(${JSON.stringify(join(cwd, 'dist/index.cjs'))}).${exportName})`;
    const esm = `import(${JSON.stringify(join(cwd, 'dist/index.mjs'))}).then((m) => console.log(typeof m.${exportName}))`;
    expect((await run(process.execPath, ['-e', cjs], { cwd })).stdout.trim()).toBe('function');
    expect((await run(process.execPath, ['-e', esm], { cwd })).stdout.trim()).toBe('function');
  }, 30_000);
});
