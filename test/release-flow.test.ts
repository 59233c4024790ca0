// A release as CONTRIBUTING's "Releasing" section tells it, step by step, from a clean clone, against
// a registry server on loopback (Verdaccio), then the new version installed by name in a fresh app.
// The clone is `git clone` of this repository, so it holds HEAD: commit what you want this to test.
// - `pnpm install --frozen-lockfile` in the clone (from pnpm's store, which the run's own install filled);
// - `pnpm changeset` asks its questions on a terminal (which packages, which bump, the summary), so the
//   test hands the answers to what the command then calls: `writeChangeset` of @changesets/write, the
//   clone's own copy (the file name and the front matter are the command's). `changeset add --empty`,
//   the command's only path without prompts, writes a changeset that releases nothing;
// - the changeset committed, `pnpm changeset version`, `git commit -am "Version Packages"`;
// - `pnpm release` with GRANTOR_RELEASE_SUITES_PASSED=1: it builds, type-checks, checks the API reports
//   and publishes (with git tags, in the clone), and leaves the gate's test suites (packages/,
//   test/packaging.test.ts) to this run, which has them;
// - `npm install @grantor/express@<new version> express` by name, and a token out of the app.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectVerifiedToken, expressApp, freshApp, npmInstall, output } from './host-apps/support/by-name.js';
import { TWILIO_ENV } from './host-apps/support/grantor.js';
import { addUser, packument, registryDir, startServer } from './host-apps/support/registry.js';
import { appEnv, ROOT, run } from './host-apps/support/run.js';

/** The user-visible change this release carries: one adapter's, so the fixed group must take the others along. */
const CHANGESET = { releases: [{ name: '@grantor/express', type: 'patch' }], summary: 'The release flow test: a fix in the Express adapter.' };
/** Commits in the clone need an author; a CI machine may have none configured. */
const GIT_USER = {
  GIT_AUTHOR_NAME: 'release test',
  GIT_AUTHOR_EMAIL: 'release@test.invalid',
  GIT_COMMITTER_NAME: 'release test',
  GIT_COMMITTER_EMAIL: 'release@test.invalid',
};
const MINUTES = 60_000;

let work: string;
let clone: string;
let registry: { url: string; pid: number; userconfig: string };
let before: string;
let next: string;

/** The published (not private) packages under the clone's packages/, with their manifests. */
function packages(): { name: string; dir: string; version: string; dependencies?: Record<string, string> }[] {
  return readdirSync(join(clone, 'packages'))
    .map((entry) => join(clone, 'packages', entry))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, ...(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string; private?: boolean }) }))
    .filter((pkg) => !pkg.private);
}

/** A command in the clone, in the environment a contributor's shell would give it. */
const inClone = (command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 10 * MINUTES) =>
  run(command, args, { cwd: clone, env: appEnv({ ...GIT_USER, ...env }), timeoutMs });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'grantor-release-flow-'));
  clone = join(work, 'grantor');
  const cloned = await run('git', ['clone', '--quiet', ROOT, clone], { cwd: work });
  expect(cloned.code, output(cloned)).toBe(0);
  const install = await inClone('pnpm', ['install', '--frozen-lockfile', '--prefer-offline']);
  expect(install.code, output(install)).toBe(0);
  const versions = new Set(packages().map((pkg) => pkg.version));
  expect([...versions], 'one version for every @grantor package (the fixed group)').toHaveLength(1);
  before = [...versions][0]!;
  const [major, minor, patch] = before.split('.').map(Number);
  expect(before).toMatch(/^\d+\.\d+\.\d+$/);
  next = `${major}.${minor}.${patch! + 1}`;

  const dir = join(registryDir(), 'release-flow');
  mkdirSync(dir);
  const server = await startServer(dir);
  registry = { ...server, userconfig: await addUser(dir, server.url) };
}, 15 * MINUTES);

afterAll(() => {
  if (registry) process.kill(registry.pid, 'SIGTERM');
  if (work && !process.env.KEEP_HOST_APPS) rmSync(work, { recursive: true, force: true });
});

describe('a release from a clean clone, as CONTRIBUTING describes it', () => {
  it('pnpm changeset, then pnpm changeset version: every @grantor package moves to the next patch together, each CHANGELOG.md has it', async () => {
    const requireFromCli = createRequire(realpathSync(join(clone, 'node_modules', '@changesets', 'cli', 'package.json')));
    const writeChangeset = (requireFromCli('@changesets/write') as { default: (changeset: typeof CHANGESET, cwd: string) => Promise<string> }).default;
    const id = await writeChangeset(CHANGESET, clone);
    expect(readFileSync(join(clone, '.changeset', `${id}.md`), 'utf8')).toBe(`---\n"@grantor/express": patch\n---\n\n${CHANGESET.summary}\n`);
    const steps = async (...commands: string[][]) => {
      for (const [command, ...args] of commands) {
        const result = await inClone(command!, args);
        expect(result.code, `${command} ${args.join(' ')}:\n${output(result)}`).toBe(0);
      }
    };
    await steps(['git', 'add', '.changeset'], ['git', 'commit', '--quiet', '-m', 'A fix in the Express adapter']);
    // The changelog names the commit that added the changeset.
    const changesetCommit = (await inClone('git', ['rev-parse', '--short=7', 'HEAD'])).stdout.trim();
    await steps(['pnpm', 'changeset', 'version'], ['git', 'commit', '--quiet', '-am', 'Version Packages']);

    expect(existsSync(join(clone, '.changeset', `${id}.md`)), 'the changeset is used up').toBe(false);
    const all = packages();
    expect(all.map((pkg) => pkg.name)).toContain('@grantor/core');
    for (const pkg of all) {
      expect(pkg.version, pkg.name).toBe(next);
      const changelog = readFileSync(join(pkg.dir, 'CHANGELOG.md'), 'utf8');
      const newest = changelog.slice(changelog.indexOf('\n## '), changelog.indexOf(`\n## ${before}\n`));
      expect(newest, `${pkg.name}'s CHANGELOG.md: the new version on top, above the previous one`).toMatch(
        new RegExp(`^\\n## ${next.replaceAll('.', '\\.')}\\n`),
      );
      if (pkg.name === '@grantor/express') expect(newest).toContain(`- ${changesetCommit}: ${CHANGESET.summary}`);
      // Packages on core name its new version under theirs (updateInternalDependencies).
      if (pkg.dependencies?.['@grantor/core']) expect(newest, pkg.name).toContain(`@grantor/core@${next}`);
    }
    const status = await inClone('git', ['status', '--porcelain']);
    expect(status.stdout, 'everything committed').toBe('');
  });

  it(
    'pnpm release (the gate suites left to this run) builds, type-checks, checks the API reports and publishes every package at the new version, with git tags',
    async () => {
      const release = await inClone(
        'pnpm',
        ['release'],
        { npm_config_registry: registry.url, npm_config_userconfig: registry.userconfig, GRANTOR_RELEASE_SUITES_PASSED: '1' },
        20 * MINUTES,
      );
      expect(release.code, output(release)).toBe(0);
      const log = output(release);
      expect(log).toContain('tsc -p tsconfig.json');
      expect(log).toContain('GRANTOR_RELEASE_SUITES_PASSED=1');
      const tags = (await inClone('git', ['tag', '--list'])).stdout.split('\n');
      for (const pkg of packages()) {
        expect(log).toContain(`${pkg.name}@${next}`);
        const published = (await packument(registry.url, pkg.name)).versions?.[next] as { dependencies?: Record<string, string> } | undefined;
        expect(published, `${pkg.name}@${next} on the registry`).toBeDefined();
        for (const [dep, range] of Object.entries(published!.dependencies ?? {})) {
          if (dep.startsWith('@grantor/')) expect(range, `${pkg.name} -> ${dep}`).toBe(`^${next}`);
        }
        expect(tags, `${pkg.name}'s git tag`).toContain(`${pkg.name}@${next}`);
      }
      // The API check ran on what the release built.
      expect(log).toMatch(/@grantor\/core: the API matches its report/);
    },
    25 * MINUTES,
  );

  it(
    'npm install @grantor/express@<new version> express by name brings core at that version too, and the app gets a token that verifies',
    async () => {
      const app = freshApp(registry.url, 'release-flow-express', { 'app.mjs': expressApp('esm') });
      try {
        await npmInstall(app, [`@grantor/express@${next}`, 'express']);
        for (const name of ['@grantor/express', '@grantor/core']) {
          const installed = join(app, 'node_modules', name);
          expect((JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string }).version, name).toBe(next);
          expect(readFileSync(join(installed, 'CHANGELOG.md'), 'utf8'), `${name}'s CHANGELOG.md`).toContain(`## ${next}`);
        }
        expect(readFileSync(join(app, 'node_modules', '@grantor', 'express', 'CHANGELOG.md'), 'utf8')).toContain(CHANGESET.summary);
        expectVerifiedToken(await run(process.execPath, ['app.mjs'], { cwd: app, env: appEnv(TWILIO_ENV) }), 'esm-user');
      } finally {
        if (!process.env.KEEP_HOST_APPS) rmSync(app, { recursive: true, force: true });
      }
    },
    5 * MINUTES,
  );
});
