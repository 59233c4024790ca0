// Installed by name, as a user installs a published library: every packages/* package published to
// the run's registry (Verdaccio on loopback) by the release command's publish step, then, in fresh
// apps that know only the registry's address, `npm install @grantor/express express`,
// `npm install @grantor/next` and `npm install @grantor/cli`, and tokens out of each in CommonJS and ESM.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectVerifiedToken, expressApp, freshApp, npmInstall, output } from './support/by-name.js';
import { TWILIO_ENV } from './support/grantor.js';
import { appEnv, readTarball, ROOT, run } from './support/host-app.js';
import { packument, publishedRegistry, type Registry } from './support/registry.js';

let registry: Registry;
const apps: string[] = [];
beforeAll(async () => {
  registry = await publishedRegistry();
});
afterAll(() => {
  if (!process.env.KEEP_HOST_APPS) for (const dir of apps) rmSync(dir, { recursive: true, force: true });
});

/** freshApp(), removed after the file's tests. */
function app(name: string, files: Record<string, string> = {}): string {
  const dir = freshApp(registry.url, name, files);
  apps.push(dir);
  return dir;
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

describe('npm install @grantor/express express, by name', () => {
  let dir: string;
  beforeAll(async () => {
    dir = app('by-name-express', { 'app.cjs': expressApp('cjs'), 'app.mjs': expressApp('esm') });
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
    dir = app('by-name-next', { 'route.cjs': nextRoute('cjs'), 'route.mjs': nextRoute('esm') });
    await npmInstall(dir, ['@grantor/next']);
  });

  it.each(['route.cjs', 'route.mjs'])("%s: the App Router route's POST answers with a token that verifies", async (file) => {
    expectVerifiedToken(await run(process.execPath, [file], { cwd: dir, env: appEnv(TWILIO_ENV) }), file === 'route.cjs' ? 'next-cjs' : 'next-esm');
  });
});

describe('npm install @grantor/cli, by name', () => {
  let dir: string;
  beforeAll(async () => {
    dir = app('by-name-cli');
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
    const empty = app('by-name-npx');
    // Its own npm cache: npx would otherwise run a @grantor/cli@<same version> it fetched in an earlier run.
    const cache = join(empty, '.npm-cache');
    mkdirSync(cache);
    const token = (JSON.parse(mint.stdout) as { token: string }).token;
    const decode = await run('npx', ['--yes', '@grantor/cli', 'decode', token], { cwd: empty, env: appEnv({ npm_config_cache: cache }) });
    expect(decode.code, output(decode)).toBe(0);
    expect(decode.stdout).toContain('npx-user');
  }, 90_000); // npx installs @grantor/cli and its dependencies into an empty cache
});
