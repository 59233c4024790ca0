// Runs the docs' runnable blocks, the ones whose info string says `run` (```ts run```, ```sh run```):
// each is a whole program, not a fragment of an app, and runs as a reader would paste it, with test
// credentials in the TWILIO_* variables the docs read. A ts/js block is imported as a module of its
// own against the packages' source (vitest transforms it), so a throw fails it; when it default-exports
// an app (a Node request listener such as Express's, a Koa app, or a Worker's `{ fetch }`), the app is
// served on a free loopback port (a Worker is called directly) and sent one POST /api/token, which
// grantor's route must answer with its JSON and no-store. An sh block runs in bash (-e, -o pipefail) in an empty folder, with the built
// CLI as `grantor` on PATH, so a command that exits non-zero fails it.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, type Snippet } from './snippets.js';

/** What a runnable block may read: the TWILIO_* variables and the bindings the recipes' Workers take. */
export const RUN_ENV: Record<string, string> = {
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_API_KEY_SID: `SK${'b'.repeat(32)}`,
  TWILIO_API_KEY_SECRET: 'docs-snippet-secret-0123456789',
  TWIML_APP_SID: `AP${'c'.repeat(32)}`,
  APP_ORIGIN: 'http://127.0.0.1',
  OIDC_ISSUER: 'https://idp.example.com/',
  OIDC_AUDIENCE: 'https://api.example.com',
  SESSION_SECRET: 'docs-snippet-session-secret',
};

/** Inside test/, where the suites resolve @grantor/* and the frameworks (test/node_modules). */
const MODULE_DIR = join(ROOT, 'test/docs/.run');
const CLI = join(ROOT, 'packages/cli/dist/cli.mjs');
let modules = 0;

/** What running a block showed: `ok`, and what failed when not. */
export interface RunResult {
  ok: boolean;
  output: string;
}

/** Imports a ts/js block as a module (process.env holding RUN_ENV meanwhile), then sends its Worker, if any, a token request. */
export async function runModule(snippet: Snippet): Promise<RunResult> {
  mkdirSync(MODULE_DIR, { recursive: true });
  const file = join(MODULE_DIR, `block-${++modules}.${snippet.language === 'ts' ? 'ts' : 'mjs'}`);
  writeFileSync(file, snippet.code);
  const saved = { ...process.env };
  Object.assign(process.env, RUN_ENV);
  try {
    const app = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default as App | undefined;
    if (typeof app === 'function') return await askServer(app);
    if (typeof app?.callback === 'function') return await askServer(app.callback());
    if (typeof app?.fetch === 'function') return await askWorker(app.fetch);
    return { ok: true, output: 'ran' };
  } catch (error) {
    return { ok: false, output: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  } finally {
    for (const name of Object.keys(RUN_ENV)) if (saved[name] === undefined) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

/** What a block may default-export: a Node request listener (an Express app), a Koa app, or a Worker's `{ fetch }`. */
type App = RequestListener | { callback?: () => RequestListener; fetch?: (request: Request, env: Record<string, string>) => Promise<Response> };

/** The token request a client without a session or bearer token sends. */
const tokenRequest = (origin: string) =>
  new Request(`${origin}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"room":"lobby"}' });

/** Serves a Node app on a free loopback port and sends it the token request once. */
async function askServer(listener: RequestListener): Promise<RunResult> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await grantorsAnswer(await fetch(tokenRequest(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Sends a Worker's fetch the token request, with RUN_ENV as its bindings. */
async function askWorker(fetch: (request: Request, env: Record<string, string>) => Promise<Response>): Promise<RunResult> {
  return grantorsAnswer(await fetch(tokenRequest('http://127.0.0.1'), RUN_ENV));
}

/** Whether the answer to POST /api/token is grantor's route's: its JSON (a token or its error body), with no-store. */
async function grantorsAnswer(response: Response): Promise<RunResult> {
  const text = await response.text();
  const output = `POST /api/token: ${response.status} ${text}`;
  let body: { token?: unknown; error?: { code?: unknown } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, output };
  }
  const grantors = typeof body?.token === 'string' || typeof body?.error?.code === 'string';
  return { ok: grantors && response.headers.get('cache-control') === 'no-store', output };
}

/** Runs an sh block's command lines, with the built CLI as `grantor`. */
export function runCommands(code: string): RunResult {
  const folder = mkdtempSync(join(tmpdir(), 'grantor-docs-'));
  try {
    const bin = join(folder, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'grantor'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'grantor'), 0o755);
    const work = join(folder, 'work');
    mkdirSync(work);
    const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', code], {
      cwd: work,
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: folder, ...RUN_ENV },
      encoding: 'utf8',
    });
    return { ok: result.status === 0, output: `exit ${result.status}\n${result.stdout}${result.stderr}` };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Builds core and the CLI when their builds are missing (CI's run builds every package first). */
export function buildCli(): void {
  if (!existsSync(join(ROOT, 'packages/core/dist/index.mjs'))) execFileSync('pnpm', ['--filter', '@grantor/core', 'build'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(CLI)) execFileSync('pnpm', ['--filter', '@grantor/cli', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

/** Removes the modules written for the runs. */
export function cleanUpRuns(): void {
  rmSync(MODULE_DIR, { recursive: true, force: true });
}
