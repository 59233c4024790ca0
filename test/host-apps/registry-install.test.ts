// Installed by name, as a user installs a published library: every packages/* package published to
// the run's registry (Verdaccio on loopback) by the release command's publish step, then, in fresh
// apps that know only the registry's address, `npm install @grantor/express express`,
// `npm install @grantor/next` and `npm install @grantor/cli`, and tokens out of each in CommonJS and ESM.
import { verifyAccessToken } from '@grantor/core';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS, TWILIO_ENV } from './support/grantor.js';
import { appEnv, readTarball, ROOT, run, type RunResult } from './support/host-app.js';
import { packument, publishedRegistry, type Registry } from './support/registry.js';

let registry: Registry;
const apps: string[] = [];
beforeAll(async () => {
  registry = await publishedRegistry();
});
afterAll(() => {
  if (!process.env.KEEP_HOST_APPS) for (const dir of apps) rmSync(dir, { recursive: true, force: true });
});

const output = (result: RunResult) => `${result.stdout}\n${result.stderr}`;

/** A new app folder as `npm init -y` leaves it, whose npm gets the @grantor scope from the run's registry. */
function freshApp(name: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `grantor-by-name-${name}-`));
  apps.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }, null, 2));
  writeFileSync(join(dir, '.npmrc'), `@grantor:registry=${registry.url}\n`);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** `npm install <names>` in dir (nothing but names: what a user types), then `npm ls --all` must be clean. */
async function npmInstall(dir: string, names: string[]): Promise<void> {
  const install = await run('npm', ['install', ...names, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir });
  expect(install.code, output(install)).toBe(0);
  const ls = await run('npm', ['ls', '--all'], { cwd: dir });
  expect(ls.code, output(ls)).toBe(0);
  // An optional peer the app did not install (core's express-validator) is listed as UNMET OPTIONAL, and fine.
  expect(ls.stdout).not.toMatch(/UNMET (?!OPTIONAL)|invalid|extraneous|missing/i);
}

/** The JSON a script printed: a token route's answer. Its token must verify, for `identity`. */
function expectVerifiedToken(result: RunResult, identity: string): void {
  expect(result.code, output(result)).toBe(0);
  const body = JSON.parse(result.stdout) as { token: string; identity: string };
  expect(body.identity).toBe(identity);
  expect(verifyAccessToken(body.token, CREDENTIALS).claims.grants).toMatchObject({ identity });
}

describe('the packages the release command published', () => {
  it('are every package under packages/, at its workspace version', () => {
    const names = registry.packages.map((p) => p.name).sort();
    expect(names.length).toBeGreaterThan(0);
    for (const pkg of registry.packages) {
      const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as { version: string };
      expect(pkg.version, pkg.name).toBe(manifest.version);
      expect(registry.publishOutput).toContain(`${pkg.name}@${pkg.version}`);
    }
  });

  it('name other packages by version range in every published manifest: no workspace:, file: or link:', async () => {
    for (const pkg of registry.packages) {
      const manifest = (await packument(registry.url, pkg.name)).versions![pkg.version] as Record<string, Record<string, string> | undefined>;
      const ranges = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'].flatMap((field) =>
        Object.entries(manifest[field] ?? {}).map(([dep, range]) => `${field} ${dep}@${range}`),
      );
      expect(
        ranges.filter((entry) => /@(workspace|file|link|portal):/.test(entry)),
        pkg.name,
      ).toEqual([]);
    }
  });

  it('carry LICENSE (the root one), README.md and CHANGELOG.md in every tarball, and a complete manifest', async () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    for (const pkg of registry.packages) {
      const { manifest, files } = await readTarball(pkg.tarball);
      expect(files, pkg.name).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']));
      const tarLicense = await run('tar', ['-xOzf', pkg.tarball, 'package/LICENSE'], { cwd: tmpdir() });
      expect(tarLicense.stdout, `${pkg.name}'s LICENSE`).toBe(license);
      const changelog = await run('tar', ['-xOzf', pkg.tarball, 'package/CHANGELOG.md'], { cwd: tmpdir() });
      expect(changelog.stdout, `${pkg.name}'s CHANGELOG.md has its version`).toContain(`## ${pkg.version}`);
      expect(manifest, pkg.name).toMatchObject({ license: 'MIT', engines: { node: expect.any(String) }, files: expect.any(Array) });
      expect((manifest.keywords as string[]).length, `${pkg.name}'s keywords`).toBeGreaterThan(0);
      expect(String(manifest.description).length, `${pkg.name}'s description`).toBeGreaterThan(0);
    }
  });
});

const expressApp = (moduleSystem: 'cjs' | 'esm') => `${
  moduleSystem === 'cjs'
    ? "const express = require('express');\nconst { createTokenRoute } = require('@grantor/express');"
    : "import express from 'express';\nimport { createTokenRoute } from '@grantor/express';"
}
const app = express();
app.use((req, res, next) => { req.user = { id: '${moduleSystem}-user' }; next(); });
app.use('/api/token', createTokenRoute({
  credentials: {
    accountSid: process.env.TWILIO_ACCOUNT_SID,
    keys: { sid: process.env.TWILIO_API_KEY_SID, secret: process.env.TWILIO_API_KEY_SECRET },
  },
  policy: () => ({ grants: { video: {} } }),
}));
const server = app.listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/api/token', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
  });
  console.log(await res.text());
  server.close();
});
`;

describe('npm install @grantor/express express, by name', () => {
  let dir: string;
  beforeAll(async () => {
    dir = freshApp('by-name-express', { 'app.cjs': expressApp('cjs'), 'app.mjs': expressApp('esm') });
    await npmInstall(dir, ['@grantor/express', 'express']);
  });

  it("brings @grantor/core as a dependency: both are the registry's tarballs", async () => {
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string }> };
    for (const name of ['@grantor/express', '@grantor/core']) {
      const published = registry.packages.find((p) => p.name === name)!;
      const { integrity } = (await packument(registry.url, name)).versions![published.version]!.dist;
      expect(lock.packages[`node_modules/${name}`], name).toMatchObject({ version: published.version, integrity });
    }
  });

  it.each(['app.cjs', 'app.mjs'])('%s gets a token that verifies', async (file) => {
    expectVerifiedToken(await run(process.execPath, [file], { cwd: dir, env: appEnv(TWILIO_ENV) }), file === 'app.cjs' ? 'cjs-user' : 'esm-user');
  });
});

const nextRoute = (moduleSystem: 'cjs' | 'esm') => `${
  moduleSystem === 'cjs' ? "const { createTokenRoute } = require('@grantor/next');" : "import { createTokenRoute } from '@grantor/next';"
}
const { POST } = createTokenRoute({
  credentials: {
    accountSid: process.env.TWILIO_ACCOUNT_SID,
    keys: { sid: process.env.TWILIO_API_KEY_SID, secret: process.env.TWILIO_API_KEY_SECRET },
  },
  getUser: async () => ({ id: 'next-${moduleSystem}' }),
  policy: () => ({ grants: { video: {} } }),
});
POST(new Request('http://localhost/api/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }))
  .then((res) => res.text())
  .then((text) => console.log(text));
`;

describe('npm install @grantor/next, by name', () => {
  let dir: string;
  beforeAll(async () => {
    dir = freshApp('by-name-next', { 'route.cjs': nextRoute('cjs'), 'route.mjs': nextRoute('esm') });
    await npmInstall(dir, ['@grantor/next']);
  });

  it.each(['route.cjs', 'route.mjs'])("%s: the App Router route's POST answers with a token that verifies", async (file) => {
    expectVerifiedToken(await run(process.execPath, [file], { cwd: dir, env: appEnv(TWILIO_ENV) }), file === 'route.cjs' ? 'next-cjs' : 'next-esm');
  });
});

describe('npm install @grantor/cli, by name', () => {
  let dir: string;
  beforeAll(async () => {
    dir = freshApp('by-name-cli');
    await npmInstall(dir, ['@grantor/cli']);
  });

  it('grantor mint makes a token that verifies, and grantor decode reads it', async () => {
    const mint = await run('npx', ['grantor', 'mint', '--identity', 'cli-user', '--video-room', 'r1', '--json'], { cwd: dir, env: appEnv(TWILIO_ENV) });
    expectVerifiedToken(mint, 'cli-user');
    const decode = await run('npx', ['grantor', 'decode', (JSON.parse(mint.stdout) as { token: string }).token], { cwd: dir });
    expect(decode.code, output(decode)).toBe(0);
    expect(decode.stdout).toContain('cli-user');
  }, 90_000); // two npx runs, on a busy machine

  it("the demo page's `npx @grantor/cli decode <token>` works in a folder where nothing is installed", async () => {
    const mint = await run('npx', ['grantor', 'mint', '--identity', 'npx-user', '--video', '--json'], { cwd: dir, env: appEnv(TWILIO_ENV) });
    const empty = freshApp('by-name-npx');
    // Its own npm cache: npx would otherwise run a @grantor/cli@<same version> it fetched in an earlier run.
    const cache = join(empty, '.npm-cache');
    mkdirSync(cache);
    const token = (JSON.parse(mint.stdout) as { token: string }).token;
    const decode = await run('npx', ['--yes', '@grantor/cli', 'decode', token], { cwd: empty, env: appEnv({ npm_config_cache: cache }) });
    expect(decode.code, output(decode)).toBe(0);
    expect(decode.stdout).toContain('npx-user');
  }, 90_000); // npx installs @grantor/cli and its dependencies into an empty cache
});
