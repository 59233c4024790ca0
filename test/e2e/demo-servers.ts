// The demos as they run for a user, as child processes on a free 127.0.0.1 port: the Express and
// Koa servers through tsx, the Next.js app through `next build` (when stale) and `next start`.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { loadCredentials } from '../../examples/shared/src/index.js';
import { newestChange, whileLocked } from '../support/build-lock.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export type DemoName = 'express' | 'koa' | 'next';

const DEMO_DIRS: Record<DemoName, string> = {
  express: join(ROOT, 'examples/express-passport'),
  koa: join(ROOT, 'examples/koa-passport'),
  next: join(ROOT, 'examples/next-app'),
};

/** The made-up demo credentials, passed to every demo so that a local `.env` or environment stays out of the tests. */
export const demoCredentials = loadCredentials({} as NodeJS.ProcessEnv);

const NEXT_DIR = DEMO_DIRS.next;
const BUILD_ID = join(NEXT_DIR, '.next/BUILD_ID');
/** The packages the Next demo imports, built. */
const BUILT_PACKAGES = ['core', 'next', 'client'];
// What the Next build is made of: the app, the demo kit, and the built packages it imports.
const NEXT_BUILD_INPUTS = [
  ...['app', 'lib', 'proxy.ts', 'next.config.ts', 'package.json', 'tsconfig.json'].map((name) => join(NEXT_DIR, name)),
  ...['examples/shared/src', 'examples/shared/page', ...BUILT_PACKAGES.map((name) => `packages/${name}/dist`)].map((name) => join(ROOT, name)),
];

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

/** `next build` of the Next demo when the build is missing or older than its inputs (the packages it imports first, when unbuilt). */
export function buildNextDemoIfStale(): void {
  whileLocked('next-demo-build', 10 * 60_000, () => {
    if (BUILT_PACKAGES.some((name) => !existsSync(join(ROOT, `packages/${name}/dist`)))) {
      run('pnpm', BUILT_PACKAGES.flatMap((name) => ['--filter', `@grantor/${name}`]).concat('build'));
    }
    const built = existsSync(BUILD_ID) ? statSync(BUILD_ID).mtimeMs : 0;
    if (NEXT_BUILD_INPUTS.some((input) => newestChange(input) > built)) run('pnpm', ['--filter', '@grantor/example-next-app', 'build']);
  });
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  return port;
}

export interface RunningDemo {
  port: number;
  baseUrl: string;
  /** Everything the demo wrote to stderr so far. */
  stderr(): string;
  /** stdout and stderr, interleaved, for failure messages. */
  output(): string;
  /** The exit code once the process has exited, else null. */
  exitCode(): number | null;
  stop(): Promise<void>;
}

async function waitUntilServing(demo: RunningDemo, command: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (demo.exitCode() !== null) throw new Error(`${command} exited with ${demo.exitCode()}:\n${demo.output()}`);
    if (
      await fetch(`${demo.baseUrl}/api/me`).then(
        (response) => response.ok,
        () => false,
      )
    )
      return;
    await new Promise((wake) => setTimeout(wake, 200));
  }
  throw new Error(`${command} did not answer within 30 s:\n${demo.output()}`);
}

/**
 * Starts a demo with the made-up credentials and no Twilio or rate-limit variables from this machine. The Express
 * and Koa demos run their `src/server.ts` with the `source` condition, so they use the packages'
 * TypeScript source as the rest of the suite does; the Next demo serves its build (build it first).
 */
/** Starts a demo on a free port; the Next demo is built first when its build is stale. */
export async function startDemo(name: DemoName, extraEnv: Record<string, string> = {}): Promise<RunningDemo> {
  if (name === 'next') buildNextDemoIfStale();
  const port = await freePort();
  const cwd = DEMO_DIRS[name];
  const args =
    name === 'next'
      ? [join(cwd, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1']
      : ['--conditions=source', '--import', 'tsx', 'src/server.ts'];
  const { TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET, ALLOWED_ORIGINS, REDIS_URL, RATE_LIMIT_PER_MINUTE, ...env } = process.env;
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    // Its own process group, so stop() ends the demo and anything it spawned.
    detached: true,
    env: {
      ...env,
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      TWILIO_ACCOUNT_SID: demoCredentials.accountSid,
      TWILIO_API_KEY_SID: demoCredentials.keys.sid,
      TWILIO_API_KEY_SECRET: demoCredentials.keys.secret,
      ...extraEnv,
    },
  });
  let stderr = '';
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
    output += chunk;
  });
  const demo: RunningDemo = {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    output: () => output,
    exitCode: () => child.exitCode,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const exited = once(child, 'exit');
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    },
  };
  try {
    await waitUntilServing(demo, name === 'next' ? 'next start' : `the ${name} demo`);
  } catch (error) {
    await demo.stop();
    throw error;
  }
  return demo;
}

/** A browser stand-in: keeps the cookies the server sets and sends them back. */
export function cookieClient(baseUrl: string) {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies.values()].join('; ');
  return {
    /** The cookies as a `Cookie` header value. */
    cookieHeader,
    async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(baseUrl + path, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), cookie: cookieHeader(), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      for (const setCookie of response.headers.getSetCookie()) {
        const pair = setCookie.split(';')[0]!;
        const name = pair.slice(0, pair.indexOf('='));
        // An empty value clears the cookie (a base64 value may end with '=' padding).
        if (pair.length === name.length + 1) cookies.delete(name);
        else cookies.set(name, pair);
      }
      return { status: response.status, headers: response.headers, body: await response.json() };
    },
  };
}
