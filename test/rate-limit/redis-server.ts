// A real redis-server (Debian's package) on a free 127.0.0.1 port, in a temporary folder, with no
// persistence, so that a restart starts empty; it can be stopped and started again on the same port,
// as when a shared Redis goes down and comes back under running app instances.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../host-apps/support/host-app.js';

const BINARY = 'redis-server';
const READY_WITHIN_MS = 10_000;
const EXIT_WITHIN_MS = 10_000;

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:<port> */
  url: string;
  /** SIGTERM, and resolves once the process has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, resolving once it answers PING. */
  start(): Promise<void>;
  /** Whether the process is up (started and not yet exited). */
  readonly running: boolean;
  /** Stops it (when running) and removes its folder. */
  close(): Promise<void>;
  /** What redis-server printed, for failure messages. */
  output(): string;
}

/** Fails (never skips) without the binary: the suite is part of the contract, and CI installs it. */
function requireBinary(): void {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${BINARY} is needed for the rate-limit tests and could not be run (${probe.error?.message ?? probe.stderr}). ` +
        'Install it: apt-get install redis-server (Debian/Ubuntu); .ci/run installs it on CI.',
    );
  }
}

/** One PING over a raw socket: true when the server answered +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startRedisServer(): Promise<RedisServer> {
  requireBinary();
  const dir = mkdtempSync(join(tmpdir(), 'grantor-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';

  async function start(): Promise<void> {
    if (child) throw new Error('redis-server is already running');
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const proc = spawn(BINARY, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout.on('data', (chunk) => (log += chunk));
    proc.stderr.on('data', (chunk) => (log += chunk));
    let exited = false;
    proc.once('exit', () => {
      exited = true;
      if (child === proc) child = undefined;
    });
    const deadline = Date.now() + READY_WITHIN_MS;
    while (!(await ping(port))) {
      // Exiting early means it could not start, e.g. the port was taken between freePort() and spawn.
      if (exited) throw new Error(`redis-server exited before answering PING on port ${port}:\n${log}`);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`redis-server did not answer PING on port ${port} within ${READY_WITHIN_MS} ms:\n${log}`);
      }
      await sleep(50);
    }
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), EXIT_WITHIN_MS);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    get running() {
      return child !== undefined;
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => log,
  };
}
