// A throwaway redis-server for the rate-limited case: Debian's binary on a free 127.0.0.1 port, no
// persistence, stopped when the bench ends. Without the binary the case is reported as not measured.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';

const BINARY = 'redis-server';

async function freePort() {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  return port;
}

/** True once the server answers PING with +PONG. */
function ping(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => done(chunk.toString('latin1').startsWith('+PONG')));
  });
}

/** `{ url, stop() }`, or `{ missing }` (why there is no Redis) when redis-server cannot be run. */
export async function startRedis() {
  const probe = spawnSync(BINARY, ['--version']);
  if (probe.error || probe.status !== 0) return { missing: `${BINARY} not found: apt-get install redis-server` };
  const port = await freePort();
  const child = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  // Also when the bench exits early (its 9-minute limit calls process.exit).
  const killOnExit = () => child.kill();
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      return { missing: `${BINARY} did not answer on port ${port}` };
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}
