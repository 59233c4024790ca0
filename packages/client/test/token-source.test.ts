/** createTokenSource against a fake route on a fake clock: caching, single flight, params, the route's statuses, retries, close. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenSource, TokenSourceError, type TokenSourceOptions } from '../src/index.js';
import { fakeRoute, HOUR, json, requestOf, routeError, tokenBody } from './support.js';

const URL = '/api/token';
const sourceWith = (fetch: ReturnType<typeof fakeRoute>, options: Partial<TokenSourceOptions> = {}) =>
  createTokenSource({ url: URL, params: { room: 'lobby' }, fetch, ...options });

/** The rejection of `promise`, observed at once so that fake-timer advances do not see it unhandled. */
const rejectionOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('resolved'),
    (error: unknown) => error as TokenSourceError,
  );

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-12-02T14:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('a token', () => {
  it('is what the route answered, expiring the ttl less 1 s after the request was sent, by this clock', async () => {
    const body = tokenBody(1, 600);
    const fetch = fakeRoute();
    // The answer comes 2 s after the request: the deadline counts from the request.
    fetch.mockImplementationOnce(() => new Promise((resolve) => setTimeout(() => resolve(json(200, body)), 2000)));
    const sent = Date.now();
    const token = sourceWith(fetch).getToken();
    await vi.advanceTimersByTimeAsync(2000);
    expect(await token).toEqual({ token: body.token, identity: 'alice', expiresAt: new Date(sent + 599e3), ttl: 600 });
  });

  // The server's clock says nothing about this device's: only the ttl counts.
  it.each([
    { name: 'two hours ahead of the server', serverOffset: -2 * HOUR },
    { name: 'two hours behind the server', serverOffset: 2 * HOUR },
  ])('with this clock $name, expiresAt is still ttl - 1 s away, and 20 getToken() make 1 request', async ({ serverOffset }) => {
    const fetch = fakeRoute(() => json(200, { ...tokenBody(1, 600), expiresAt: new Date(Date.now() + (serverOffset + 600) * 1e3).toISOString() }));
    const source = sourceWith(fetch);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.getToken()));
    for (let call = 0; call < 20; call++) tokens.push(await source.getToken());
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(new Set(tokens).size).toBe(1);
    expect(+tokens[0]!.expiresAt - Date.now()).toBe(599e3);
  });
});

describe('caching', () => {
  // expiresAt is ttl - 1 s after the request.
  it.each([
    { name: 'refreshMargin (60 s by default)', ttl: HOUR, refreshMargin: undefined, staleAfter: HOUR - 1 - 60 },
    { name: 'another refreshMargin', ttl: HOUR, refreshMargin: 300, staleAfter: HOUR - 1 - 300 },
    { name: 'half the ttl when refreshMargin is more', ttl: 100, refreshMargin: 80, staleAfter: 99 - 50 },
  ])('answers from the cache until $name before expiresAt, then fetches again', async ({ ttl, refreshMargin, staleAfter }) => {
    const fetch = fakeRoute(json(200, tokenBody(1, ttl)));
    const source = sourceWith(fetch, { refreshMargin });
    const first = await source.getToken();
    await vi.advanceTimersByTimeAsync(staleAfter * 1e3 - 1);
    expect(await source.getToken()).toBe(first);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await source.getToken()).token).toBe('jwt-2');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('fetches a fresh token on forceRefresh', async () => {
    const fetch = fakeRoute();
    const source = sourceWith(fetch);
    await source.getToken();
    expect((await source.getToken({ forceRefresh: true })).token).toBe('jwt-2');
    expect((await source.getToken()).token).toBe('jwt-2');
  });

  it('shares one request among concurrent callers', async () => {
    const fetch = fakeRoute();
    const source = sourceWith(fetch);
    const tokens = await Promise.all([source.getToken(), source.getToken(), source.getToken({ forceRefresh: true })]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('starts a new request once the shared one failed', async () => {
    const fetch = fakeRoute(routeError(401, 'UNAUTHENTICATED'));
    const source = sourceWith(fetch);
    const failures = await Promise.all([rejectionOf(source.getToken()), rejectionOf(source.getToken())]);
    expect(failures.map((error) => error.code)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect((await source.getToken()).token).toBe('jwt-2');
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});

describe('params', () => {
  it('keeps the cached token when setParams gets equal params', async () => {
    const fetch = fakeRoute();
    const source = sourceWith(fetch);
    await source.getToken();
    source.setParams({ room: 'lobby' });
    await source.getToken();
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('drops the cached token when params differ, and sends the new ones', async () => {
    const fetch = fakeRoute();
    const source = sourceWith(fetch);
    await source.getToken();
    source.setParams({ room: 'kitchen' });
    expect((await source.getToken()).token).toBe('jwt-2');
    expect(requestOf(fetch, 2).json).toEqual({ room: 'kitchen' });
  });

  it('does not cache a token asked for with the params of before', async () => {
    let answerFirst!: (response: Response) => void;
    const fetch = fakeRoute();
    fetch.mockImplementationOnce(() => new Promise((resolve) => (answerFirst = resolve)));
    const source = sourceWith(fetch);
    const before = source.getToken();
    source.setParams({ room: 'kitchen' });
    const after = source.getToken();
    answerFirst(json(200, tokenBody(99)));
    expect((await before).token).toBe('jwt-99');
    expect((await after).token).toBe('jwt-2');
    expect((await source.getToken()).token).toBe('jwt-2');
    expect(requestOf(fetch, 2).json).toEqual({ room: 'kitchen' });
  });
});

describe('the request', () => {
  it('POSTs params as JSON with the same-origin cookie by default', async () => {
    const fetch = fakeRoute();
    await sourceWith(fetch).getToken();
    const request = requestOf(fetch);
    expect(request).toMatchObject({ url: URL, method: 'POST', credentials: 'same-origin', json: { room: 'lobby' } });
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/json' });
    expect(request.signal).toBeInstanceOf(AbortSignal);
  });

  it('sends {} without params, as JSON too', async () => {
    const fetch = fakeRoute();
    await createTokenSource({ url: URL, fetch }).getToken();
    expect(requestOf(fetch).json).toEqual({});
    expect(requestOf(fetch).headers).toMatchObject({ 'content-type': 'application/json' });
  });

  it('GETs with params as the query string, after one the url has', async () => {
    const fetch = fakeRoute();
    await sourceWith(fetch, { method: 'GET', params: { room: 'a b', n: 2 } }).getToken();
    await sourceWith(fetch, { method: 'GET', url: '/token?v=1', params: { room: 'x' } }).getToken();
    await sourceWith(fetch, { method: 'GET', params: {} }).getToken();
    expect(requestOf(fetch, 1)).toMatchObject({ url: `${URL}?room=a+b&n=2`, method: 'GET', body: undefined });
    expect(requestOf(fetch, 1).headers).not.toHaveProperty('content-type');
    expect(requestOf(fetch, 2).url).toBe('/token?v=1&room=x');
    expect(requestOf(fetch, 3).url).toBe(URL);
  });

  it('sends the headers and credentials it is given', async () => {
    const fetch = fakeRoute();
    await sourceWith(fetch, { headers: { authorization: 'Bearer abc' }, credentials: 'include' }).getToken();
    expect(requestOf(fetch)).toMatchObject({ credentials: 'include', headers: { authorization: 'Bearer abc' } });
  });

  it('asks a headers function before each attempt', async () => {
    const fetch = fakeRoute(routeError(503, 'RATE_LIMIT_UNAVAILABLE', { 'retry-after': '1' }));
    let bearer = 0;
    const source = sourceWith(fetch, { headers: async () => ({ authorization: `Bearer ${++bearer}` }) });
    const token = source.getToken();
    await vi.advanceTimersByTimeAsync(1000);
    await token;
    expect([1, 2].map((call) => (requestOf(fetch, call).headers as Record<string, string>).authorization)).toEqual(['Bearer 1', 'Bearer 2']);
  });

  it('uses the global fetch by default, called without a this', async () => {
    const fetch = fakeRoute();
    vi.stubGlobal('fetch', fetch);
    await createTokenSource({ url: URL }).getToken();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.contexts[0]).toBeUndefined();
  });
});

describe("the route's statuses", () => {
  it.each([
    { status: 400, code: 'BAD_REQUEST' },
    { status: 401, code: 'UNAUTHENTICATED' },
    { status: 403, code: 'FORBIDDEN' },
    { status: 403, code: 'ORIGIN_NOT_ALLOWED' },
    { status: 405, code: 'METHOD_NOT_ALLOWED' },
    { status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  ])('$status $code is terminal: never retried', async ({ status, code }) => {
    const fetch = fakeRoute(routeError(status, code));
    const error = await rejectionOf(sourceWith(fetch, { retries: 9 }).getToken());
    expect(error).toBeInstanceOf(TokenSourceError);
    expect(error).toMatchObject({ name: 'TokenSourceError', status, code, retryable: false, message: `${code} from the route` });
    await vi.advanceTimersByTimeAsync(HOUR * 1e3);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('404 without an error body is terminal HTTP_404', async () => {
    const fetch = fakeRoute(new Response('<h1>Not found</h1>', { status: 404 }));
    const error = await rejectionOf(sourceWith(fetch).getToken());
    expect(error).toMatchObject({ status: 404, code: 'HTTP_404', retryable: false });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it.each([
    { name: 'no JSON', response: () => new Response('<!doctype html>', { status: 200 }) },
    { name: 'no token', response: () => json(200, { identity: 'alice', expiresAt: tokenBody(1).expiresAt, ttl: 600 }) },
    { name: 'no ttl', response: () => json(200, { token: 'jwt', identity: 'alice', expiresAt: tokenBody(1).expiresAt }) },
    { name: 'a bad ttl', response: () => json(200, { ...tokenBody(1), ttl: 'soon' }) },
    { name: 'a ttl of 0', response: () => json(200, { ...tokenBody(1), ttl: 0 }) },
  ])('200 with $name is BAD_RESPONSE, not retried', async ({ response }) => {
    const fetch = fakeRoute(response());
    const error = await rejectionOf(sourceWith(fetch).getToken());
    expect(error).toMatchObject({ status: 200, code: 'BAD_RESPONSE', retryable: false });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it.each([
    { status: 429, answer: () => routeError(429, 'RATE_LIMITED', { 'retry-after': '3' }), code: 'RATE_LIMITED', retryAfter: 3 },
    { status: 500, answer: () => routeError(500, 'INTERNAL_ERROR'), code: 'INTERNAL_ERROR', retryAfter: undefined },
    { status: 502, answer: () => new Response('Bad gateway', { status: 502 }), code: 'HTTP_502', retryAfter: undefined },
    { status: 503, answer: () => routeError(503, 'RATE_LIMIT_UNAVAILABLE', { 'retry-after': '2' }), code: 'RATE_LIMIT_UNAVAILABLE', retryAfter: 2 },
  ])('$status is retried, then surfaces as retryable $code', async ({ status, answer, code, retryAfter }) => {
    const fetch = fakeRoute(answer(), answer(), answer());
    const error = rejectionOf(sourceWith(fetch, { retries: 2 }).getToken());
    await vi.advanceTimersByTimeAsync(60e3);
    expect(await error).toMatchObject({ status, code, retryable: true, retryAfter });
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('retries a network TypeError, then surfaces NETWORK_ERROR with the cause', async () => {
    const offline = new TypeError('Failed to fetch');
    const fetch = fakeRoute(offline, offline);
    const error = rejectionOf(sourceWith(fetch, { retries: 1 }).getToken());
    await vi.advanceTimersByTimeAsync(60e3);
    expect(await error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, status: undefined, cause: offline });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('a retried request that succeeds answers the token', async () => {
    const fetch = fakeRoute(routeError(500, 'INTERNAL_ERROR'), new TypeError('Failed to fetch'));
    const token = sourceWith(fetch).getToken();
    await vi.advanceTimersByTimeAsync(60e3);
    expect((await token).token).toBe('jwt-3');
  });
});

describe('backoff', () => {
  const failing = () => routeError(500, 'INTERNAL_ERROR');

  /** The ms between the calls of `fetch`, stepping the clock 1 ms at a time. */
  async function gapsBetweenCalls(fetch: ReturnType<typeof fakeRoute>, calls: number) {
    const at: number[] = [Date.now()];
    while (fetch.mock.calls.length < calls) {
      const before = fetch.mock.calls.length;
      await vi.advanceTimersByTimeAsync(1);
      if (fetch.mock.calls.length > before) at.push(Date.now());
    }
    return at.slice(1).map((time, index) => time - at[index]!);
  }

  it('waits a random part of base * 2^attempt (full jitter)', async () => {
    vi.spyOn(Math, 'random').mockReturnValueOnce(0.1).mockReturnValueOnce(0.9).mockReturnValueOnce(0.5);
    const fetch = fakeRoute(failing(), failing(), failing());
    const source = sourceWith(fetch, { retryDelay: { base: 1000 } });
    void source.getToken();
    await vi.advanceTimersByTimeAsync(0);
    expect(await gapsBetweenCalls(fetch, 4)).toEqual([0.1 * 1000, 0.9 * 2000, 0.5 * 4000]);
  });

  it('is bounded by max', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const fetch = fakeRoute(failing(), failing(), failing(), failing());
    void sourceWith(fetch, { retryDelay: { base: 500, max: 1500 } }).getToken();
    await vi.advanceTimersByTimeAsync(0);
    expect(await gapsBetweenCalls(fetch, 5)).toEqual([500, 1000, 1500, 1500]);
  });

  it('defaults to base 500 ms, max 30 s and 4 retries', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const fetch = fakeRoute(...Array.from({ length: 9 }, failing));
    const error = rejectionOf(createTokenSource({ url: URL, fetch, retryDelay: {} }).getToken());
    await vi.advanceTimersByTimeAsync(0);
    expect(await gapsBetweenCalls(fetch, 5)).toEqual([500, 1000, 2000, 4000]);
    await vi.advanceTimersByTimeAsync(HOUR * 1e3);
    expect(fetch).toHaveBeenCalledTimes(5);
    expect((await error).retryable).toBe(true);
  });

  // Retry-After is read when the request is answered, at the start of the clock.
  it.each([
    { name: 'in seconds, when longer than the jitter', random: 0, retryAfter: () => '7', retryDelay: {}, gap: 7000 },
    { name: 'as an HTTP date', random: 0, retryAfter: () => new Date(Date.now() + 12e3).toUTCString(), retryDelay: {}, gap: 12e3 },
    { name: 'capped by max', random: 0, retryAfter: () => '120', retryDelay: { max: 5000 }, gap: 5000 },
    { name: 'not when shorter than the jitter', random: 0.5, retryAfter: () => '1', retryDelay: { base: 8000 }, gap: 0.5 * 8000 },
  ])('waits for Retry-After $name', async ({ random, retryAfter, retryDelay, gap }) => {
    vi.spyOn(Math, 'random').mockReturnValue(random);
    const fetch = fakeRoute(routeError(429, 'RATE_LIMITED', { 'retry-after': retryAfter() }));
    const token = sourceWith(fetch, { retryDelay }).getToken();
    await vi.advanceTimersByTimeAsync(0);
    expect(await gapsBetweenCalls(fetch, 2)).toEqual([gap]);
    expect((await token).token).toBe('jwt-2');
  });

  it('reads a past Retry-After date as 0', async () => {
    const fetch = fakeRoute(routeError(503, 'RATE_LIMIT_UNAVAILABLE', { 'retry-after': new Date(0).toUTCString() }));
    const error = await rejectionOf(sourceWith(fetch, { retries: 0 }).getToken());
    expect(error.retryAfter).toBe(0);
  });

  it('leaves no abort listener behind once a wait is over', async () => {
    const added = vi.spyOn(EventTarget.prototype, 'addEventListener');
    const removed = vi.spyOn(EventTarget.prototype, 'removeEventListener');
    const token = sourceWith(fakeRoute(failing(), failing())).getToken();
    await vi.advanceTimersByTimeAsync(60e3);
    await token;
    const abortListeners = (spy: typeof added) => spy.mock.calls.filter(([type]) => type === 'abort').map(([, listener]) => listener);
    expect(abortListeners(added)).toHaveLength(2);
    expect(abortListeners(removed)).toEqual(abortListeners(added));
  });

  it('does not retry with retries: 0', async () => {
    const fetch = fakeRoute(failing());
    const error = await rejectionOf(sourceWith(fetch, { retries: 0 }).getToken());
    expect(error).toMatchObject({ code: 'INTERNAL_ERROR', retryable: true });
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe('close()', () => {
  it('rejects getToken with CLOSED afterwards', async () => {
    const source = sourceWith(fakeRoute());
    source.close();
    source.close();
    expect(source.closed).toBe(true);
    expect(await rejectionOf(source.getToken())).toMatchObject({ code: 'CLOSED', retryable: false });
  });

  it('aborts a request in flight: every waiter gets CLOSED', async () => {
    const fetch = fakeRoute('hang');
    const source = sourceWith(fetch);
    const waiters = [rejectionOf(source.getToken()), rejectionOf(source.getToken())];
    await vi.advanceTimersByTimeAsync(0);
    source.close();
    expect((await Promise.all(waiters)).map((error) => error.code)).toEqual(['CLOSED', 'CLOSED']);
    expect(requestOf(fetch).signal!.aborted).toBe(true);
  });

  it('ends a backoff wait: CLOSED, no timer left, no further request', async () => {
    const fetch = fakeRoute(routeError(503, 'RATE_LIMIT_UNAVAILABLE', { 'retry-after': '20' }));
    const source = sourceWith(fetch);
    const error = rejectionOf(source.getToken());
    await vi.advanceTimersByTimeAsync(1000);
    expect(vi.getTimerCount()).toBe(1);
    source.close();
    expect((await error).code).toBe('CLOSED');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(HOUR * 1e3);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('drops the cached token', async () => {
    const source = sourceWith(fakeRoute());
    await source.getToken();
    source.close();
    expect((await rejectionOf(source.getToken())).code).toBe('CLOSED');
  });
});
