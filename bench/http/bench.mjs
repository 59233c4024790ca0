// HTTP throughput: every case in its own server process, autocannon in another, rounds alternating cases.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAccessToken } from '@grantor/core';
import { ACCOUNT_SID, API_KEY, REQUEST_BODY, ROOM, STUB_USER } from '../lib/fixtures.mjs';
import { readProfile, summarizeProfile } from '../lib/profile.mjs';
import { median, rotate, spreadPercent } from '../lib/stats.mjs';
import { HTTP_CASES } from './apps.mjs';
import { startRedis } from './redis.mjs';

const SERVER = new URL('./server.mjs', import.meta.url).pathname;
const LOAD = new URL('./load.mjs', import.meta.url).pathname;

/** Resolves with the first message of `child`, or rejects when it exits or `ms` pass. */
function nextMessage(child, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${what}: no answer within ${ms} ms`)), ms);
    const onExit = (code) => fail(new Error(`${what}: process exited with code ${code}`));
    const cleanUp = () => {
      clearTimeout(timer);
      child.off('exit', onExit);
    };
    const fail = (error) => {
      cleanUp();
      reject(error);
    };
    child.once('exit', onExit);
    child.once('message', (message) => {
      cleanUp();
      resolve(message);
    });
  });
}

async function startServer(httpCase, env) {
  const child = fork(SERVER, [httpCase.id], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], env });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    const { port, headers } = await nextMessage(child, 20_000, `server ${httpCase.id}`);
    return { child, url: `http://127.0.0.1:${port}/token`, headers };
  } catch (error) {
    child.kill();
    throw new Error(`${error.message}\n${stderr.trim().split('\n').slice(0, 6).join('\n')}`);
  }
}

function stopProcess(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ command: 'stop' });
    else child.kill();
  });
}

/** Every case must answer 200 with a token for the stub user and room before it is timed. */
async function checkServer(httpCase, url, headers) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: REQUEST_BODY });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`${httpCase.id} answered ${response.status}: ${JSON.stringify(body)}`);
  const { claims } = verifyAccessToken(body.token, { accountSid: ACCOUNT_SID, keys: API_KEY });
  if (claims.grants.identity !== STUB_USER.id || claims.grants.video?.room !== ROOM) {
    throw new Error(`${httpCase.id} issued unexpected grants ${JSON.stringify(claims.grants)}`);
  }
  if (!/no-store/.test(response.headers.get('cache-control') ?? '') && !httpCase.id.endsWith('-bare')) {
    throw new Error(`${httpCase.id} answered without Cache-Control: no-store`);
  }
}

/** The autocannon process; `run` measures one case and answers with its figures. */
function loadGenerator() {
  const child = fork(LOAD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    child,
    async run(url, { connections, durationSeconds, headers }) {
      const answer = nextMessage(child, (durationSeconds + 20) * 1000, `autocannon on ${url}`);
      child.send({ url, body: REQUEST_BODY, connections, durationSeconds, headers });
      const reply = await answer;
      if (reply.error) throw new Error(reply.error);
      return reply.result;
    },
  };
}

/** Sends a command to a server process and waits until it is done. */
async function command(child, name, fields = {}) {
  const answer = nextMessage(child, 30_000, `server command ${name}`);
  child.send({ command: name, ...fields });
  return answer;
}

/**
 * One autocannon run against a case, with the server's own CPU time per response: unlike
 * requests/s, it hardly changes when other processes compete for the cores.
 */
async function measure(entry, generator, options) {
  const before = (await command(entry.child, 'cpu')).value;
  const result = await generator.run(entry.url, { ...options, headers: entry.headers });
  const after = (await command(entry.child, 'cpu')).value;
  const cpuMicros = after.user - before.user + after.system - before.system;
  return { ...result, cpuMicrosPerResponse: cpuMicros / result.responses };
}

/** Where a server spends its CPU during one measured run, from a V8 CPU profile of that window. */
async function profileCase(entry, generator, options) {
  const dir = mkdtempSync(join(tmpdir(), 'grantor-bench-prof-'));
  try {
    const file = join(dir, `${entry.id}.cpuprofile`);
    await command(entry.child, 'profile:start');
    const measured = await generator.run(entry.url, { ...options, headers: entry.headers });
    await command(entry.child, 'profile:stop', { file });
    return { caseId: entry.id, label: entry.label, requestsPerSecond: measured.requestsPerSecond, ...summarizeProfile(readProfile(file), { top: 12 }) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runHttpBench({
  rounds = 5,
  durationSeconds = 5,
  warmupSeconds = 2,
  connections = 10,
  profileCaseIds = ['express-bare', 'express-grantor'],
  caseIds,
  log = () => {},
} = {}) {
  const unknown = caseIds?.filter((id) => !HTTP_CASES.some((httpCase) => httpCase.id === id)) ?? [];
  if (unknown.length) throw new Error(`Unknown HTTP case ${unknown.join(', ')}; expected one of ${HTTP_CASES.map(({ id }) => id).join(', ')}`);
  const selected = caseIds?.length ? HTTP_CASES.filter((httpCase) => caseIds.includes(httpCase.id)) : HTTP_CASES;
  const generator = loadGenerator();
  const running = [];
  const skipped = [];
  // Only when a case needs it; its server finds it through GRANTOR_BENCH_REDIS_URL.
  const redis = selected.some((httpCase) => httpCase.needsRedis) ? await startRedis() : undefined;
  const env = { ...process.env, ...(redis?.url && { GRANTOR_BENCH_REDIS_URL: redis.url }) };
  try {
    for (const httpCase of selected) {
      if (httpCase.needsRedis && redis?.missing) {
        skipped.push({ id: httpCase.id, label: httpCase.label, reason: redis.missing });
        log(`http: skipping ${httpCase.id}: ${redis.missing}`);
        continue;
      }
      try {
        const server = await startServer(httpCase, env);
        running.push({ ...httpCase, ...server, samples: [] });
        await checkServer(httpCase, server.url, server.headers);
      } catch (error) {
        skipped.push({ id: httpCase.id, label: httpCase.label, reason: error.message.split('\n')[0] });
        log(`http: skipping ${httpCase.id}: ${error.message}`);
      }
    }
    const cases = running.filter((entry) => !skipped.some((skip) => skip.id === entry.id));
    for (const entry of cases) await generator.run(entry.url, { connections, durationSeconds: warmupSeconds, headers: entry.headers });
    log(`http: warm-up done; ${rounds} rounds of ${durationSeconds} s per case, ${connections} connections`);
    for (let round = 0; round < rounds; round++) {
      for (const entry of rotate(cases, round)) entry.samples.push(await measure(entry, generator, { connections, durationSeconds }));
      log(`http: round ${round + 1}/${rounds} done`);
    }
    const profiles = [];
    for (const entry of cases.filter(({ id }) => profileCaseIds.includes(id))) {
      profiles.push(await profileCase(entry, generator, { connections, durationSeconds }));
    }
    log('http: profile done');
    return {
      rounds,
      durationSeconds,
      warmupSeconds,
      connections,
      skipped,
      profiles,
      cases: cases.map(({ id, label, samples }) => ({
        id,
        label,
        requestsPerSecond: median(samples.map((sample) => sample.requestsPerSecond)),
        spreadPercent: spreadPercent(samples.map((sample) => sample.requestsPerSecond)),
        cpuMicrosPerResponse: median(samples.map((sample) => sample.cpuMicrosPerResponse)),
        p50Ms: median(samples.map((sample) => sample.p50Ms)),
        p99Ms: median(samples.map((sample) => sample.p99Ms)),
        errors: samples.reduce((sum, sample) => sum + sample.errors, 0),
        responses: samples.reduce((sum, sample) => sum + sample.responses, 0),
      })),
    };
  } finally {
    await Promise.all([...running.map(({ child }) => stopProcess(child)), stopProcess(generator.child)]);
    await redis?.stop?.();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `node bench/http/bench.mjs [case id ...]`: all cases, or only those named (ids in apps.mjs).
  const result = await runHttpBench({ caseIds: process.argv.slice(2), log: console.error });
  console.log(JSON.stringify(result, null, 2));
}
