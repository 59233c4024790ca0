// The public API of every published library is committed as a report (packages/<name>/etc/<name>.api.md,
// API Extractor's, from the built .d.mts): a change to an export shows as a diff in review, and this
// test fails until the report is updated with `pnpm api:update`.
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { publishedPackageNames, ROOT, workspacePackages } from './host-apps/support/run.js';

const script = join(ROOT, 'scripts', 'api-report.mjs');

/** `node scripts/api-report.mjs ...args`: its exit code and output. */
async function apiReport(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, ...args], { cwd: ROOT });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: `${e.stdout}${e.stderr}` };
  }
}

const libraries = publishedPackageNames()
  .map((name) => ({ name, dir: workspacePackages().get(name)! }))
  .filter(({ dir }) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { types?: string }).types);

it('every library has a committed API report, and its built API matches it (after a deliberate change: pnpm api:update)', async () => {
  for (const { dir } of libraries) {
    const name = dir.split('/').at(-1)!;
    expect(existsSync(join(dir, 'etc', `${name}.api.md`)), `packages/${name}/etc/${name}.api.md`).toBe(true);
  }
  const { code, output } = await apiReport(...libraries.map(({ dir }) => dir));
  expect(code, output).toBe(0);
  for (const { name } of libraries) expect(output).toContain(`${name}: the API matches its report`);
}, 120_000);

describe('a deliberate change to an export', () => {
  // A copy of @grantor/express (manifest, built types, committed report; its node_modules linked so
  // the types resolve), with one export added to its built types.
  const copy = join(mkdtempSync(join(tmpdir(), 'grantor-api-change-')), 'express');
  afterAll(() => rmSync(join(copy, '..'), { recursive: true, force: true }));

  it('fails the check until the report is updated, and the updated report shows it', async () => {
    const express = workspacePackages().get('@grantor/express')!;
    mkdirSync(join(copy, 'dist'), { recursive: true });
    for (const file of ['package.json', 'dist/index.d.mts', 'etc/express.api.md']) cpSync(join(express, file), join(copy, file));
    symlinkSync(join(express, 'node_modules'), join(copy, 'node_modules'));
    appendFileSync(join(copy, 'dist/index.d.mts'), '\nexport declare function addedForTheTest(): void;\n');
    const check = await apiReport(copy);
    expect(check.code).toBe(1);
    expect(check.output).toContain('the API differs from');
    expect(check.output).toContain('pnpm api:update');

    expect((await apiReport('--update', copy)).code).toBe(0);
    expect(readFileSync(join(copy, 'etc/express.api.md'), 'utf8')).toContain('export function addedForTheTest(): void;');
    expect((await apiReport(copy)).code, 'the check passes once the report is updated').toBe(0);
  }, 120_000);
});
