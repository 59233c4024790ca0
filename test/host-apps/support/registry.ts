// The test run's npm registry: Verdaccio on loopback, holding every packages/* package as the
// release command's publish step (`pnpm release:publish`, i.e. `changeset publish`) put it there.
// The first test file that asks starts it and publishes, under the workspace lock; the others find
// it in the run's folder. The globalSetup (registry-global-setup.ts) stops it when the run ends.
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { inject } from 'vitest';
import { isStale, publishedPackageNames, ROOT, run, withWorkspaceLock, workspacePackages } from './run.js';

export interface PublishedPackage {
  name: string;
  version: string;
  /** The package's folder in the workspace. */
  dir: string;
  /** The tarball the registry serves for this version, downloaded, named as `pnpm pack` names it: grantor-core-0.1.0.tgz. */
  tarball: string;
}

export interface Registry {
  /** http://127.0.0.1:<port>/<prefix>/, with the trailing slash npm wants. */
  url: string;
  /** The registry server's process id. */
  pid: number;
  /** Every packages/* package, as published. */
  packages: PublishedPackage[];
  /** What the publish step printed. */
  publishOutput: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder of this run's registry (see registry-global-setup.ts). */
    grantorRegistryDir: string;
    /** The test run's main process: the registry server exits when it is gone. */
    grantorRunPid: number;
  }
}

/** The folder this run's registry lives in, from the globalSetup. */
export function registryDir(): string {
  const dir = inject('grantorRegistryDir');
  if (!dir) throw new Error('no grantorRegistryDir: vitest.config.ts must list test/host-apps/support/registry-global-setup.ts in globalSetup');
  return dir;
}

/**
 * The run's registry with every packages/* package published (started, built where stale, and
 * published by the first caller of the run). Call in beforeAll.
 */
export async function publishedRegistry(): Promise<Registry> {
  const dir = registryDir();
  const stateFile = join(dir, 'registry.json');
  return withWorkspaceLock(async () => {
    if (existsSync(stateFile)) {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Registry | { error: string };
      if ('error' in state) throw new Error(`publishing to the run's registry failed in another test file:\n${state.error}`);
      return state;
    }
    try {
      const registry = await startAndPublish(dir);
      writeFileSync(stateFile, JSON.stringify(registry, null, 2));
      return registry;
    } catch (error) {
      writeFileSync(stateFile, JSON.stringify({ error: String(error) }));
      throw error;
    }
  });
}

/** Starts the server in `dir`, adds the release user, builds what is stale and publishes every package. */
async function startAndPublish(dir: string): Promise<Registry> {
  const { url, pid } = await startServer(dir);
  const userconfig = await addUser(dir, url);
  const all = workspacePackages();
  const packages = publishedPackageNames().map((name) => [name, all.get(name)!] as const);
  const stale = packages.filter(([, pkgDir]) => isStale(pkgDir)).map(([name]) => name);
  if (stale.length > 0) {
    const build = await run('pnpm', [...stale.flatMap((name) => ['--filter', name]), 'build'], { cwd: ROOT });
    if (build.code !== 0) throw new Error(`building ${stale.join(', ')} failed:\n${build.stdout}\n${build.stderr}`);
  }
  const publish = await publishWorkspace(url, userconfig);
  const publishOutput = `${publish.stdout}\n${publish.stderr}`;
  if (publish.code !== 0) throw new Error(`pnpm release:publish failed:\n${publishOutput}`);
  return {
    url,
    pid,
    publishOutput,
    packages: await Promise.all(packages.map(([name, pkgDir]) => download(url, name, readManifest(pkgDir).version, pkgDir, dir))),
  };
}

/**
 * The release command's publish step, run in `cwd` (the workspace by default) against `url` with
 * the npm user config `userconfig` (which holds the token): `pnpm release:publish --no-git-tag`
 * (tests make no git tags in the checkout).
 */
export function publishWorkspace(url: string, userconfig: string, cwd = ROOT) {
  return run('pnpm', ['release:publish', '--no-git-tag'], {
    cwd,
    env: { ...process.env, npm_config_registry: url, npm_config_userconfig: userconfig },
    timeoutMs: 300_000,
  });
}

function readManifest(dir: string): { name: string; version: string } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
}

/**
 * Starts registry-server.mjs for `dir`, detached: it outlives this test file, not the run (its pid
 * goes into dir/pids, which the globalSetup's teardown stops).
 */
export async function startServer(dir: string): Promise<{ url: string; pid: number }> {
  const prefix = `run-${randomBytes(6).toString('hex')}`;
  // Its output goes to a file (a pipe would break once this test file's process is gone).
  const log = join(dir, `server-${prefix}.log`);
  const out = openSync(log, 'w');
  const child = spawn(process.execPath, [join(import.meta.dirname, 'registry-server.mjs'), dir, prefix, String(inject('grantorRunPid'))], {
    cwd: join(ROOT, 'test'),
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 60_000;
  let found: RegExpExecArray | null;
  while (!(found = /listening (\d+)/.exec(readFileSync(log, 'utf8')))) {
    if (exited || Date.now() > deadline) throw new Error(`the registry ${exited ? 'exited' : 'did not start in 60 s'}:\n${readFileSync(log, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const port = Number(found[1]);
  appendFileSync(join(dir, 'pids'), `${child.pid}\n`);
  return { url: `http://127.0.0.1:${port}/${prefix}/`, pid: child.pid! };
}

/** Adds a user as `npm adduser` does; returns an npm user config file with its token for `url`. */
export async function addUser(dir: string, url: string): Promise<string> {
  const res = await fetch(new URL('-/user/org.couchdb.user:grantor-release', url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'grantor-release', password: randomBytes(12).toString('hex') }),
  });
  const { token } = (await res.json()) as { token?: string };
  if (!res.ok || !token) throw new Error(`adding the release user failed: ${res.status}`);
  const userconfig = join(dir, `npmrc-${new URL(url).port}`);
  writeFileSync(userconfig, `//${new URL(url).host}${new URL(url).pathname}:_authToken=${token}\n`);
  return userconfig;
}

/** A published version's manifest, as the registry serves it (with `dist`: tarball URL and integrity). */
export type PublishedManifest = Record<string, unknown> & { dist: { tarball: string; integrity: string } };

/** What the registry at `url` has for `name`, as `npm view` reads it. */
export async function packument(url: string, name: string): Promise<{ versions?: Record<string, PublishedManifest> }> {
  return (await (await fetch(new URL(name.replace('/', '%2f'), url))).json()) as { versions?: Record<string, PublishedManifest> };
}

/** The registry's tarball of name@version, saved under dir/tarballs. */
async function download(url: string, name: string, version: string, pkgDir: string, dir: string): Promise<PublishedPackage> {
  const published = (await packument(url, name)).versions?.[version];
  if (!published) throw new Error(`${name}@${version} is not in the registry after publishing`);
  mkdirSync(join(dir, 'tarballs'), { recursive: true });
  const tarball = join(dir, 'tarballs', `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
  writeFileSync(tarball, Buffer.from(await (await fetch(published.dist.tarball)).arrayBuffer()));
  return { name, version, dir: pkgDir, tarball };
}
