// Issue 12: one per-user limit across app instances. Two Express apps (two HTTP servers), each with its
// own ioredis client and its own RateLimiterRedis under the same keyPrefix, share one real redis-server;
// a user's requests alternate between them. Then Redis is stopped under them and started again.
import { type DeniedEvent, verifyAccessToken } from '@grantor/core';
import { createTokenRoute } from '@grantor/express';
import express from 'express';
import { Redis, type RedisOptions } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { listen } from '../../packages/next/test/support/next-server.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

interface User {
  id: string;
}

const CREDENTIALS = { accountSid: `AC${'1'.repeat(32)}`, keys: { sid: `SK${'2'.repeat(32)}`, secret: 'rate-limit-test-secret' } };
const POINTS = 5;
const DURATION = 60;
/** Hang guard only: any answer within it passes; the store timeout grantor documents is 2 s. */
const HANG_GUARD_MS = 15_000;
/** How long ioredis may take to reconnect after a restart (its backoff reaches 2 s between tries). */
const RECONNECT_WITHIN_MS = 30_000;
/** Text of ioredis / Redis errors that must never reach a client. */
const STORE_ERROR_TEXT = /redis|ECONNREFUSED|ECONNRESET|writeable|offline|stream|127\.0\.0\.1|did not answer|\d{4,5}/i;

let redis: RedisServer;
/** This test's app instances, closed after it. */
const instances: Instance[] = [];
let prefixes = 0;
/** A keyPrefix no other test uses, so no test sees another's counts. */
const uniquePrefix = () => `grantor-test-${process.pid}-${++prefixes}`;

// Everything that escaped: a crash of the route or of a Redis client shows up here.
const escaped: unknown[] = [];
const onEscape = (error: unknown) => void escaped.push(error);

beforeAll(async () => {
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis?.close();
  process.off('unhandledRejection', onEscape);
  process.off('uncaughtException', onEscape);
});

interface Instance {
  url: string;
  keyPrefix: string;
  denied: DeniedEvent[];
  errors: unknown[];
  close(): Promise<void>;
}

interface InstanceOptions {
  keyPrefix: string;
  duration?: number;
  /** rate-limiter-flexible's fallback while Redis is down: an in-process limit of the same size. */
  insurance?: boolean;
  /** grantor's fallback while Redis is down: `whenStoreFails: 'memory'`. */
  memoryFallback?: boolean;
  /** ioredis options over the plan's `enableOfflineQueue: false`. */
  client?: RedisOptions;
}

afterEach(async () => {
  await Promise.all(instances.splice(0).map((instance) => instance.close()));
});

/** One app instance, as the plan's snippet sets it up, behind a fake authentication that sets req.user. */
async function startInstance({ keyPrefix, duration = DURATION, insurance = false, memoryFallback = false, client = {} }: InstanceOptions): Promise<Instance> {
  const storeClient = new Redis(redis.url, { enableOfflineQueue: false, ...client });
  // An app must listen, or ioredis prints every connection error while Redis is down; grantor's onError gets what matters.
  storeClient.on('error', () => {});
  // With no offline queue, a command sent before the connection is ready fails: wait for it.
  if (storeClient.status !== 'ready') await new Promise((resolve) => storeClient.once('ready', resolve));
  const rateLimit = new RateLimiterRedis({
    storeClient,
    keyPrefix,
    points: POINTS,
    duration,
    insuranceLimiter: insurance ? new RateLimiterMemory({ points: POINTS, duration }) : undefined,
  });
  const denied: DeniedEvent[] = [];
  const errors: unknown[] = [];
  const app = express();
  app.use((req, _res, next) => {
    const name = req.get('x-user');
    // The app's authentication, as Passport's would: grantor reads req.user.
    if (name) Object.assign(req, { user: { id: name } satisfies User });
    next();
  });
  app.use(
    '/api/token',
    createTokenRoute<User>({
      credentials: CREDENTIALS,
      policy: ({ params }) => (params.room === 'vault' ? { deny: 'Nobody enters the vault.' } : { grants: { video: { room: params.room as string } } }),
      rateLimit: memoryFallback ? { limiter: rateLimit, whenStoreFails: 'memory' } : rateLimit,
      onDenied: (event) => void denied.push(event as DeniedEvent),
      onError: (error) => void errors.push(error),
    }),
  );
  const server = await listen(app);
  const instance: Instance = {
    url: server.url,
    keyPrefix,
    denied,
    errors,
    async close() {
      await server.close();
      storeClient.disconnect();
    },
  };
  instances.push(instance);
  return instance;
}

/** Two instances sharing one limit: the same keyPrefix, each with its own client. */
async function startPair(options: Omit<InstanceOptions, 'keyPrefix'> = {}): Promise<[Instance, Instance]> {
  const keyPrefix = uniquePrefix();
  return [await startInstance({ ...options, keyPrefix }), await startInstance({ ...options, keyPrefix })];
}

interface Answer {
  status: number;
  headers: Headers;
  body: { token?: string; identity?: string; error?: { code: string; message: string } };
  text: string;
}

async function requestToken(instance: Instance, user: string | undefined, room = 'lobby'): Promise<Answer> {
  const response = await fetch(`${instance.url}/api/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(user ? { 'x-user': user } : {}) },
    body: JSON.stringify({ room }),
    signal: AbortSignal.timeout(HANG_GUARD_MS),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
}

/** `count` requests one after another, alternating between the instances. */
async function alternate(pair: readonly Instance[], user: string | undefined, count: number, room?: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) answers.push(await requestToken(pair[i % pair.length]!, user, room));
  return answers;
}

const statuses = (answers: Answer[]) => answers.map((answer) => answer.status);

/** A 200 carries a token that verifies for `user`, and the RateLimit headers with what is left. */
function expectIssued(answer: Answer, user: string, remaining: number, duration = DURATION): void {
  expect(answer.status, answer.text).toBe(200);
  const { claims } = verifyAccessToken(answer.body.token!, CREDENTIALS);
  expect(claims.grants?.identity).toBe(user);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expectRateLimitHeaders(answer, remaining, duration);
}

/** The IETF draft-7 headers, as the plan writes them; returns RateLimit's reset, in seconds. */
function expectRateLimitHeaders(answer: Answer, remaining: number, duration: number): number {
  expect(answer.headers.get('ratelimit-policy')).toBe(`${POINTS};w=${duration}`);
  const match = /^limit=(\d+), remaining=(\d+), reset=(\d+)$/.exec(answer.headers.get('ratelimit') ?? '');
  expect(match, `RateLimit: ${answer.headers.get('ratelimit')}`).not.toBeNull();
  const [limit, left, reset] = match!.slice(1).map(Number) as [number, number, number];
  expect({ limit, remaining: left }).toEqual({ limit: POINTS, remaining });
  expect(reset).toBeGreaterThan(0);
  expect(reset).toBeLessThanOrEqual(duration);
  return reset;
}

/** A 429 as issue 12 specifies it; returns its Retry-After in seconds. */
function expectLimited(answer: Answer, duration = DURATION): number {
  expect(answer.status, answer.text).toBe(429);
  expect(answer.body.error?.code).toBe('RATE_LIMITED');
  expect(answer.body.token).toBeUndefined();
  expect(answer.headers.get('cache-control')).toBe('no-store');
  const retryAfter = answer.headers.get('retry-after') ?? '';
  expect(retryAfter, 'Retry-After is whole seconds').toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(Number(retryAfter)).toBeLessThanOrEqual(duration);
  // Both come from the same wait, so they agree.
  expect(expectRateLimitHeaders(answer, 0, duration)).toBe(Number(retryAfter));
  return Number(retryAfter);
}

/** The fail-closed answer: retryable, and nothing of the store's error in it. */
function expectUnavailable(answer: Answer): void {
  expect(answer.status, answer.text).toBe(503);
  expect(answer.body.error?.code).toBe('RATE_LIMIT_UNAVAILABLE');
  expect(answer.body.token).toBeUndefined();
  expect(answer.headers.get('retry-after')).toBe('1');
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.text).not.toMatch(STORE_ERROR_TEXT);
}

const deniedCodes = (pair: readonly Instance[]) => pair.flatMap((instance) => instance.denied.map((event) => event.code));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it is true, for at most RECONNECT_WITHIN_MS. */
async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + RECONNECT_WITHIN_MS;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${RECONNECT_WITHIN_MS} ms`);
    await sleep(200);
  }
}

/** The count Redis itself holds for a key: proof that a request went through Redis. */
async function countInRedis(key: string): Promise<number | undefined> {
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    const value = await client.get(key);
    return value === null ? undefined : Number(value);
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

describe('two Express instances sharing one Redis', () => {
  test('a user alternated between the instances gets exactly `points` tokens, then 429 with Retry-After', async () => {
    const pair = await startPair();
    const answers = await alternate(pair, 'alice', 2 * POINTS + 2);

    expect(statuses(answers)).toEqual([...Array(POINTS).fill(200), ...Array(POINTS + 2).fill(429)]);
    answers.slice(0, POINTS).forEach((answer, i) => expectIssued(answer, 'alice', POINTS - 1 - i));
    for (const answer of answers.slice(POINTS)) expectLimited(answer);
    // Both instances issued and refused: the count is shared, not per instance.
    expect(deniedCodes(pair)).toEqual(Array(POINTS + 2).fill('RATE_LIMITED'));
    for (const instance of pair) {
      expect(instance.denied.length).toBeGreaterThan(0);
      expect(instance.denied.every((event) => event.identity === 'alice' && event.status === 429)).toBe(true);
      expect(instance.errors).toEqual([]);
    }
  });

  test('another user is unaffected by one who is over the limit', async () => {
    const pair = await startPair();
    expect(statuses(await alternate(pair, 'alice', POINTS + 1)).at(-1)).toBe(429);

    const bob = await alternate(pair, 'bob', POINTS + 1);
    bob.slice(0, POINTS).forEach((answer, i) => expectIssued(answer, 'bob', POINTS - 1 - i));
    expectLimited(bob[POINTS]!);
    expectLimited(await requestToken(pair[0], 'alice'));
  });

  test('401 (nobody logged in) and the policy’s 403 are not counted', async () => {
    const pair = await startPair();
    const anonymous = await alternate(pair, undefined, POINTS + 2);
    expect(statuses(anonymous)).toEqual(Array(POINTS + 2).fill(401));
    const refused = await alternate(pair, 'carol', POINTS + 2, 'vault');
    expect(statuses(refused)).toEqual(Array(POINTS + 2).fill(403));
    for (const answer of [...anonymous, ...refused]) expect(answer.headers.get('ratelimit')).toBeNull();
    expect(await countInRedis(`${pair[0].keyPrefix}:carol`)).toBeUndefined();

    const carol = await alternate(pair, 'carol', POINTS + 1);
    carol.slice(0, POINTS).forEach((answer, i) => expectIssued(answer, 'carol', POINTS - 1 - i));
    expectLimited(carol[POINTS]!);
    expect(deniedCodes(pair).sort()).toEqual([...Array(POINTS + 2).fill('UNAUTHENTICATED'), ...Array(POINTS + 2).fill('FORBIDDEN'), 'RATE_LIMITED'].sort());
  });

  test('Retry-After is honest: after waiting that long, the user gets a token again', async () => {
    const duration = 2; // short, so that the window passes within the test
    const pair = await startPair({ duration });
    const answers = await alternate(pair, 'dave', POINTS + 1);
    answers.slice(0, POINTS).forEach((answer, i) => expectIssued(answer, 'dave', POINTS - 1 - i, duration));
    const retryAfter = expectLimited(answers[POINTS]!, duration);

    await sleep(retryAfter * 1000);
    expectIssued(await requestToken(pair[1], 'dave'), 'dave', POINTS - 1, duration);
  });
});

/** Restarts Redis and waits until every instance issues a token through it again, with no app restart. */
async function restartAndReconnect(pair: readonly Instance[]): Promise<void> {
  await redis.start();
  for (const [i, instance] of pair.entries()) {
    const probe = `after-restart-${i}`;
    // A count in Redis proves the answer came through Redis, not from an insurance limiter.
    await eventually(`instance ${i} limiting through Redis again`, async () => {
      const answer = await requestToken(instance, probe);
      return answer.status === 200 && (await countInRedis(`${instance.keyPrefix}:${probe}`)) !== undefined;
    });
  }
}

/** The shared limit holds again for a fresh user alternated between the instances. */
async function expectSharedLimit(pair: readonly Instance[], user: string): Promise<void> {
  const answers = await alternate(pair, user, POINTS + 1);
  answers.slice(0, POINTS).forEach((answer, i) => expectIssued(answer, user, POINTS - 1 - i));
  expectLimited(answers[POINTS]!);
}

describe('Redis stopped mid-run and started again', () => {
  afterEach(async () => {
    if (!redis.running) await redis.start();
  });

  // The plan's client (no offline queue) fails each command at once while disconnected, whatever
  // maxRetriesPerRequest says; with ioredis's offline queue, commands wait for the reconnection
  // (up to maxRetriesPerRequest tries, or forever with null), and grantor's store timeout must answer.
  test.each<[string, RedisOptions]>([
    ['the plan’s client: enableOfflineQueue false', {}],
    ['enableOfflineQueue false, maxRetriesPerRequest null', { maxRetriesPerRequest: null }],
    ['ioredis defaults: offline queue, maxRetriesPerRequest 20', { enableOfflineQueue: true }],
    ['offline queue, maxRetriesPerRequest null', { enableOfflineQueue: true, maxRetriesPerRequest: null }],
  ])('fails closed by default (%s): 503 RATE_LIMIT_UNAVAILABLE, cause in onError, then resumes', async (_, client) => {
    const pair = await startPair({ client });
    expectIssued(await requestToken(pair[0], 'alice'), 'alice', POINTS - 1);
    expectIssued(await requestToken(pair[1], 'alice'), 'alice', POINTS - 2);

    await redis.stop();
    const sequential = await alternate(pair, 'alice', 4);
    const concurrent = await Promise.all(Array.from({ length: 6 }, (_, i) => requestToken(pair[i % 2]!, `user-${i}`)));
    const failed = [...sequential, ...concurrent];
    for (const answer of failed) expectUnavailable(answer);

    // Each 503's cause, the store's own error, went to onError; none is a refusal for onDenied.
    const causes = pair.flatMap((instance) => instance.errors);
    expect(causes).toHaveLength(failed.length);
    for (const cause of causes) expect(cause).toBeInstanceOf(Error);
    expect(deniedCodes(pair)).toEqual([]);

    await restartAndReconnect(pair);
    await expectSharedLimit(pair, 'erin');
  });

  test('requests in flight while Redis stops all get an answer, and never more than the limit', async () => {
    const pair = await startPair();
    const burst = Promise.all(Array.from({ length: 3 * POINTS }, (_, i) => requestToken(pair[i % 2]!, 'frank')));
    const [answers] = await Promise.all([burst, redis.stop()]);
    for (const answer of answers) expect([200, 429, 503], answer.text).toContain(answer.status);
    expect(answers.filter((answer) => answer.status === 200).length).toBeLessThanOrEqual(POINTS);

    await restartAndReconnect(pair);
    await expectSharedLimit(pair, 'grace');
  });

  // Either fallback is in-process: each instance counts on its own (N instances allow up to N × points).
  // rate-limiter-flexible's insuranceLimiter answers from memory without telling grantor, so onError
  // hears nothing; grantor's whenStoreFails: 'memory' reports one cause per count.
  test.each([
    { fallback: "rate-limiter-flexible's insuranceLimiter", options: { insurance: true }, causesPerInstance: 0 },
    { fallback: "grantor's whenStoreFails: 'memory'", options: { memoryFallback: true }, causesPerInstance: POINTS + 1 },
  ])('with $fallback, each instance keeps issuing tokens within its in-memory limit, then Redis takes over again', async ({ options, causesPerInstance }) => {
    const pair = await startPair(options);
    expectIssued(await requestToken(pair[0], 'hank'), 'hank', POINTS - 1);

    await redis.stop();
    for (const instance of pair) {
      const answers = await alternate([instance], 'ivy', POINTS + 1);
      answers.slice(0, POINTS).forEach((answer, i) => expectIssued(answer, 'ivy', POINTS - 1 - i));
      expectLimited(answers[POINTS]!);
      expect(instance.errors).toHaveLength(causesPerInstance);
      for (const cause of instance.errors) expect(cause).toBeInstanceOf(Error);
    }

    await restartAndReconnect(pair);
    await expectSharedLimit(pair, 'judy');
  });
});

test('nothing crashed: no unhandled rejection or uncaught exception', () => {
  expect(escaped).toEqual([]);
});
