// Each demo as it runs for a user (a child process on 127.0.0.1) against 10,000 hostile requests
// from a seeded generator, over raw sockets: no 5xx that the demo's code could prevent, no stack
// trace in any answer or in the demo's log, no token without the session, and afterwards it still
// logs alice in and gives her a token. HOSTILE_SEED=n replays another seed.
import { verifyAccessToken } from '@grantor/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { targetsPath } from '../../examples/shared/src/index.js';
import { buildNextDemoIfStale, cookieClient, demoCredentials, type DemoName, type RunningDemo, startDemo } from './demo-servers.js';
import { hostileRequests, type Outcome, sendAll, STACK_LINE } from './hostile-requests.js';

const SEED = Number(process.env.HOSTILE_SEED ?? 9);
const COUNT = 10_000;
const CONCURRENCY = 16;

// Next.js answers these itself with a plain 500 and a logged error, before any route, page or
// proxy code runs: a target that is not a path ("TypeError: Invalid URL" from its own URL parsing),
// and TRACE, which the Web Request it builds for every route handler refuses. No demo code can prevent them.
const nextAnswersItself = ({ request }: Outcome) => {
  const [method = '', target = ''] = request.split(' ');
  return !targetsPath(target) || method === 'TRACE';
};
const NEXT_OWN_LOG = /^(⨯ )?TypeError: (Invalid URL|'TRACE' HTTP method is unsupported\.)$/;

const DEMOS: { name: DemoName; staticPaths: string[]; unpreventable: (outcome: Outcome) => boolean; ownLog: RegExp | undefined }[] = [
  { name: 'express', staticPaths: ['/', '/index.html', '/app.js', '/demo-client.js'], unpreventable: () => false, ownLog: undefined },
  { name: 'koa', staticPaths: ['/', '/index.html', '/app.js', '/demo-client.js'], unpreventable: () => false, ownLog: undefined },
  { name: 'next', staticPaths: ['/', '/favicon.ico', '/_next/static/chunks/missing.js'], unpreventable: nextAnswersItself, ownLog: NEXT_OWN_LOG },
];

/** The log as entries: a line that starts in the first column, and the indented lines (a stack, an object) after it. */
function logEntries(log: string): string[] {
  return log.split(/\n(?=\S)(?!\})/).filter((entry) => entry.trim() !== '');
}

const describeOutcome = ({ kind, status, request }: Outcome) => `${kind} → ${status ?? 'no answer'}: ${JSON.stringify(request.slice(0, 140))}`;

/** At most 20 distinct examples, for a readable failure. */
const examples = (outcomes: Outcome[]) => [...new Set(outcomes.map(describeOutcome))].slice(0, 20);

describe.each(DEMOS)('the $name demo under 10,000 hostile requests', ({ name, staticPaths, unpreventable, ownLog }) => {
  let demo: RunningDemo;

  beforeAll(async () => {
    if (name === 'next') buildNextDemoIfStale();
    demo = await startDemo(name);
  }, 240_000);

  afterAll(() => demo?.stop());

  test('answers without a preventable 5xx or a stack trace, and still logs in and issues tokens', async () => {
    const alice = cookieClient(demo.baseUrl);
    expect((await alice.send('POST', '/login', { username: 'alice', password: 'alice-pass' })).status).toBe(200);
    const requests = hostileRequests(SEED, COUNT, { host: `127.0.0.1:${demo.port}`, sessionCookie: alice.cookieHeader(), staticPaths });
    const started = Date.now();
    const outcomes = await sendAll(demo.port, requests, CONCURRENCY);
    const seconds = (Date.now() - started) / 1000;

    const counts: Record<string, number> = {};
    for (const { status } of outcomes) counts[status ?? 'no answer'] = (counts[status ?? 'no answer'] ?? 0) + 1;
    const unpreventable5xx = outcomes.filter((outcome) => (outcome.status ?? 0) >= 500 && unpreventable(outcome));
    console.log(
      `${name} demo, seed ${SEED}: ${outcomes.length} hostile requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(counts)}` +
        (unpreventable5xx.length ? `; ${unpreventable5xx.length} of the 5xx answered by the framework itself` : ''),
    );

    expect(outcomes).toHaveLength(COUNT);
    expect(examples(outcomes.filter((outcome) => (outcome.status ?? 0) >= 500 && !unpreventable(outcome)))).toEqual([]);
    expect(examples(outcomes.filter((outcome) => STACK_LINE.test(outcome.answer)))).toEqual([]);
    expect(examples(outcomes.filter((outcome) => !outcome.withSession && outcome.answer.includes('"token":"')))).toEqual([]);
    const logged = logEntries(demo.output()).filter((entry) => !ownLog?.test(entry.split('\n')[0]!));
    expect(logged.filter((entry) => STACK_LINE.test(entry)).slice(0, 5)).toEqual([]);

    expect(demo.exitCode()).toBeNull();
    const after = cookieClient(demo.baseUrl);
    expect((await after.send('POST', '/login', { username: 'alice', password: 'alice-pass' })).status).toBe(200);
    const token = await after.send('POST', '/api/token', { room: 'standup' });
    expect(token.status).toBe(200);
    expect(verifyAccessToken(token.body.token, demoCredentials).claims.grants?.identity).toBe('alice');
  }, 170_000);
});
