/** The source's own rules for attached clients, on a fake clock: its timer, the floor, one identity. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenSource, type TokenSourceOptions } from '../src/index.js';
import { FakeDevice, FakeSdkClient, FLOOR_MS, fakeRoute, HOUR, json, routeError, tokenBody } from './support.js';

const sourceWith = (fetch: ReturnType<typeof fakeRoute>, options: Partial<TokenSourceOptions> = {}) =>
  createTokenSource({ url: '/api/token', fetch, ...options });

/** A route answering tokens numbered by call, each valid for `ttl` seconds. */
const routeWithTtl = (ttl: number) => {
  const fetch = fakeRoute();
  fetch.mockImplementation(() => Promise.resolve(json(200, tokenBody(fetch.mock.calls.length, ttl))));
  return fetch;
};

/**
 * Each token a client got and when, with its deadline by the route's clock (the fake clock is the
 * route's too): `held(at)` is the token the client held at `at`.
 */
function recordTokens(client: FakeDevice | FakeSdkClient, ttl: number) {
  const got: { token: string; at: number; expires: number }[] = [];
  client.updateToken.mockImplementation(((token: string) => {
    got.push({ token, at: Date.now(), expires: Date.now() + ttl * 1e3 });
  }) as never);
  return got;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-12-02T14:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the source's own timer", () => {
  it.each([
    { name: 'the default margin (60 s)', ttl: 600, refreshMargin: undefined, every: 599 - 60 },
    { name: 'half the ttl when the margin is more', ttl: 30, refreshMargin: undefined, every: 29 - 15 },
    { name: 'a margin of 5 s', ttl: 30, refreshMargin: 5, every: 29 - 5 },
  ])('feeds a client whose SDK stays silent, through 3 consecutive expiries, with $name', async ({ ttl, refreshMargin, every }) => {
    const fetch = routeWithTtl(ttl);
    const source = sourceWith(fetch, { refreshMargin });
    const { token } = await source.getToken();
    const device = new FakeDevice();
    const got = recordTokens(device, ttl);
    source.attach(device);
    const start = Date.now();
    // Three tokens' lifetimes and more, no event from the device.
    await vi.advanceTimersByTimeAsync(3 * ttl * 1e3 + 1);
    expect(got.map(({ at }) => (at - start) / 1e3)).toEqual(Array.from({ length: got.length }, (_, index) => (index + 1) * every));
    expect(got.length).toBeGreaterThanOrEqual(3);
    // Never held an expired token: each one came before the one before it expired.
    const held = [{ token, at: start, expires: start + ttl * 1e3 }, ...got];
    for (let index = 1; index < held.length; index++) expect(held[index]!.at).toBeLessThan(held[index - 1]!.expires);
    expect(held.at(-1)!.expires).toBeGreaterThan(Date.now());
  });

  it('an SDK event stays an early trigger: the timer then counts from the new token', async () => {
    const fetch = routeWithTtl(600);
    const source = sourceWith(fetch);
    await source.getToken();
    const device = new FakeDevice();
    source.attach(device);
    await vi.advanceTimersByTimeAsync(100e3);
    device.emit('tokenWillExpire');
    await vi.advanceTimersByTimeAsync(0);
    expect(device.updateToken.mock.calls).toEqual([['jwt-2']]);
    // The first token's refresh time (539 s) passes without a request; the second's (100 + 539 s) does not.
    await vi.advanceTimersByTimeAsync(539e3 - 1);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(device.updateToken.mock.calls).toEqual([['jwt-2'], ['jwt-3']]);
  });

  it('a token from another caller reschedules it', async () => {
    const fetch = routeWithTtl(600);
    const source = sourceWith(fetch);
    await source.getToken();
    source.attach(new FakeDevice());
    await vi.advanceTimersByTimeAsync(300e3);
    await source.getToken({ forceRefresh: true });
    await vi.advanceTimersByTimeAsync(539e3 - 1);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('runs only while a client is attached: none before, none after detach or close() (no polling)', async () => {
    const fetch = routeWithTtl(600);
    const source = sourceWith(fetch);
    await source.getToken();
    expect(vi.getTimerCount()).toBe(0);
    const detach = source.attach(new FakeDevice());
    const other = new FakeSdkClient();
    source.attach(other);
    expect(vi.getTimerCount()).toBe(1);
    detach();
    expect(vi.getTimerCount()).toBe(1);
    source.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * HOUR * 1e3);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(other.updateToken).not.toHaveBeenCalled();
  });

  it('after a failed refresh tries again, floored, until the held token has expired, then waits for an event', async () => {
    const onError = vi.fn();
    const fetch = fakeRoute(json(200, tokenBody(1, 100)), ...Array.from({ length: 30 }, () => routeError(503, 'RATE_LIMIT_UNAVAILABLE')));
    const source = sourceWith(fetch, { retries: 0, onError });
    await source.getToken();
    source.attach(new FakeDevice());
    // Stale at 99 - 50 = 49 s, expired at 99 s: attempts at 49, 54, …, 99 s, then none.
    await vi.advanceTimersByTimeAsync(HOUR * 1e3);
    expect(fetch).toHaveBeenCalledTimes(1 + 11);
    expect(onError).toHaveBeenCalledTimes(11);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    { trigger: 'its own request', status: 401, code: 'UNAUTHENTICATED', byEvent: false },
    { trigger: "an event's request", status: 403, code: 'FORBIDDEN', byEvent: true },
  ])('stops after a terminal error of $trigger, until a getToken() succeeds', async ({ status, code, byEvent }) => {
    const fetch = fakeRoute(json(200, tokenBody(1, 600)), routeError(status, code));
    const source = sourceWith(fetch, { onError: () => {} });
    await source.getToken();
    const device = new FakeDevice();
    source.attach(device);
    await vi.advanceTimersByTimeAsync(byEvent ? FLOOR_MS : 600e3);
    if (byEvent) device.emit('tokenWillExpire');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(HOUR * 1e3);
    expect(fetch).toHaveBeenCalledTimes(2);
    await source.getToken();
    expect(device.updateToken.mock.calls).toEqual([['jwt-3']]);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('catches up on wake after the clock jumped past the expiry (a laptop that slept)', async () => {
    const fetch = routeWithTtl(600);
    const source = sourceWith(fetch);
    await source.getToken();
    const device = new FakeDevice();
    source.attach(device);
    // Asleep: the clock moves, timers do not run.
    vi.setSystemTime(Date.now() + 2 * HOUR * 1e3);
    expect(fetch).toHaveBeenCalledTimes(1);
    // Awake: the overdue timer runs at once.
    await vi.advanceTimersByTimeAsync(539e3);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(device.updateToken.mock.calls).toEqual([['jwt-2']]);
  });
});

describe('the floor', () => {
  it(`a signaling server announcing expiry non-stop gets one request per ${FLOOR_MS} ms`, async () => {
    const fetch = routeWithTtl(HOUR);
    const source = sourceWith(fetch);
    await source.getToken();
    const client = new FakeSdkClient();
    source.attach(client);
    const storm = setInterval(() => client.emit('tokenAboutToExpire'), 10);
    await vi.advanceTimersByTimeAsync(60e3);
    clearInterval(storm);
    // One at 0 s, then one at each of 5, 10, …, 60 s.
    expect(fetch).toHaveBeenCalledTimes(1 + 60e3 / FLOOR_MS);
  });

  it('a client raising its event on every update (tokenExpired answered by tokenExpired) gets one request per floor', async () => {
    const fetch = routeWithTtl(HOUR);
    const source = sourceWith(fetch);
    await source.getToken();
    const device = new FakeDevice();
    device.updateToken.mockImplementation(() => void queueMicrotask(() => device.emit('tokenWillExpire')));
    source.attach(device);
    await vi.advanceTimersByTimeAsync(FLOOR_MS);
    device.emit('tokenWillExpire');
    await vi.advanceTimersByTimeAsync(30e3);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('holds for the timer too: a 2 s token is refreshed once per floor, not in a loop', async () => {
    const fetch = routeWithTtl(2);
    const source = sourceWith(fetch);
    await source.getToken();
    source.attach(new FakeDevice());
    await vi.advanceTimersByTimeAsync(60e3);
    expect(fetch).toHaveBeenCalledTimes(1 + 60e3 / FLOOR_MS);
  });

  it("does not hold back the app's own getToken({ forceRefresh: true })", async () => {
    const fetch = routeWithTtl(HOUR);
    const source = sourceWith(fetch);
    for (let call = 0; call < 3; call++) await source.getToken({ forceRefresh: true });
    expect(fetch).toHaveBeenCalledTimes(3);
  });
});

describe('one identity per source', () => {
  const asBob = (serial: number) => () => json(200, { ...tokenBody(serial), identity: 'bob' });

  it('a token for another identity is never given to an attached client: it is detached, and onError told', async () => {
    const onError = vi.fn();
    // alice, then bob: a logout and a login as bob without close().
    const fetch = fakeRoute(json(200, tokenBody(1)), asBob(2), asBob(3));
    const source = sourceWith(fetch, { onError });
    await source.getToken();
    const device = new FakeDevice();
    const client = new FakeSdkClient();
    source.attach(device);
    source.attach(client);
    await vi.advanceTimersByTimeAsync(HOUR * 1e3);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(device.updateToken).not.toHaveBeenCalled();
    expect(client.updateToken).not.toHaveBeenCalled();
    expect(device.eventNames()).toEqual([]);
    expect(client.listenerCount()).toBe(0);
    expect(onError.mock.calls).toEqual([[expect.objectContaining({ name: 'TokenSourceError', code: 'IDENTITY_CHANGED', retryable: false })]]);
    // The source now serves bob: his token to callers and to clients attached from now on.
    expect(await source.getToken()).toMatchObject({ token: 'jwt-2', identity: 'bob' });
    const bobsDevice = new FakeDevice();
    source.attach(bobsDevice);
    await vi.advanceTimersByTimeAsync(HOUR * 1e3);
    expect(bobsDevice.updateToken.mock.calls).toEqual([['jwt-3']]);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('on an expiry event as well', async () => {
    const onError = vi.fn();
    const source = sourceWith(fakeRoute(json(200, tokenBody(1)), asBob(2)), { onError });
    await source.getToken();
    const device = new FakeDevice();
    source.attach(device);
    await vi.advanceTimersByTimeAsync(FLOOR_MS);
    device.emit('tokenWillExpire');
    await vi.advanceTimersByTimeAsync(0);
    expect(device.updateToken).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'IDENTITY_CHANGED' }));
  });

  it('close() on logout, a new source on login: the old client never hears of the new identity', async () => {
    const onError = vi.fn();
    const alices = sourceWith(fakeRoute(), { onError });
    await alices.getToken();
    const device = new FakeDevice();
    alices.attach(device);
    alices.close();
    const bobsRoute = fakeRoute();
    bobsRoute.mockImplementation(() => Promise.resolve(asBob(bobsRoute.mock.calls.length)()));
    const bobs = sourceWith(bobsRoute, { onError });
    const bobsDevice = new FakeDevice();
    expect((await bobs.getToken()).identity).toBe('bob');
    bobs.attach(bobsDevice);
    await vi.advanceTimersByTimeAsync(HOUR * 1e3);
    expect(device.updateToken).not.toHaveBeenCalled();
    expect(device.eventNames()).toEqual([]);
    expect(onError).not.toHaveBeenCalled();
    bobs.close();
  });
});
