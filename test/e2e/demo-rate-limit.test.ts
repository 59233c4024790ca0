// The demos' rate limit as a user meets it (issue 12): each demo started as a child process with
// RATE_LIMIT_PER_MINUTE=2 counts in memory and answers a user's 3rd token of the minute 429; two
// Express instances with one REDIS_URL share the count.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startRedisServer, type RedisServer } from '../rate-limit/redis-server.js';
import { cookieClient, type DemoName, type RunningDemo, startDemo } from './demo-servers.js';

async function loggedIn(demo: RunningDemo, username: string) {
  const client = cookieClient(demo.baseUrl);
  expect((await client.send('POST', '/login', { username, password: `${username}-pass` })).status).toBe(200);
  return client;
}

type Client = Awaited<ReturnType<typeof loggedIn>>;

const token = (client: Client, room = 'lobby') => client.send('POST', '/api/token', { room });

/** A 429 as the docs' HTTP contract describes it: RATE_LIMITED, a Retry-After within the minute, no-store. */
function expectLimited(answer: Awaited<ReturnType<Client['send']>>, limit: number) {
  expect(answer.status).toBe(429);
  expect(answer.body.error.code).toBe('RATE_LIMITED');
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number(answer.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.headers.get('ratelimit')).toMatch(new RegExp(`^limit=${limit}, remaining=0, reset=\\d+$`));
}

describe.each<DemoName>(['express', 'koa', 'next'])('the %s demo with RATE_LIMIT_PER_MINUTE=2', (name) => {
  let demo: RunningDemo;

  beforeAll(async () => {
    demo = await startDemo(name, { RATE_LIMIT_PER_MINUTE: '2' });
  }, 240_000);

  afterAll(() => demo?.stop());

  test('says at start-up that it counts in memory', async () => {
    // Next.js runs instrumentation.ts as it starts serving; give its line a moment.
    await expect.poll(() => demo.output(), { timeout: 5_000 }).toContain("Rate limit: 2 tokens per user a minute, counted in this process's memory");
  });

  test("answers a user's 3rd token of the minute 429 RATE_LIMITED with Retry-After; refusals are not counted; other users are unaffected", async () => {
    const alice = await loggedIn(demo, 'alice');
    for (const remaining of [1, 0]) {
      const answer = await token(alice);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('ratelimit-policy')).toBe('2;w=60');
      expect(answer.headers.get('ratelimit')).toMatch(new RegExp(`^limit=2, remaining=${remaining}, reset=\\d+$`));
    }
    expectLimited(await token(alice), 2);

    // Bob's 403s (a guest outside the lobby) cost him nothing: he still gets two tokens.
    const bob = await loggedIn(demo, 'bob');
    for (let i = 0; i < 3; i++) expect((await token(bob, 'standup')).status).toBe(403);
    expect((await token(bob)).status).toBe(200);
    expect((await token(bob)).status).toBe(200);
    expectLimited(await token(bob), 2);
  });
});

describe('two Express demo instances with one REDIS_URL', () => {
  let redis: RedisServer;
  let instances: RunningDemo[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { RATE_LIMIT_PER_MINUTE: '3', REDIS_URL: redis.url };
    instances = await Promise.all([startDemo('express', env), startDemo('express', env)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(instances.map((demo) => demo.stop()));
    await redis?.close();
  });

  test('say so at start-up, and share the limit: 3 tokens a minute for alice, whichever instance she asks', async () => {
    for (const demo of instances) expect(demo.output()).toContain(`Rate limit: 3 tokens per user a minute, shared through Redis at ${redis.url}`);
    // Each instance has its own session secret: alice logs in on both, as behind a load balancer without a shared session store.
    const clients = await Promise.all(instances.map((demo) => loggedIn(demo, 'alice')));
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await token(clients[i % 2]!)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    expectLimited(await token(clients[0]!), 3);
    expect((await token(await loggedIn(instances[1]!, 'bob'))).status).toBe(200);
  });
});
