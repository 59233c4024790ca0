/** attach(): each SDK's expiry events feed it a newer token; detach and close() unwire it; errors never escape. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenSource, type TokenConsumer, type TokenSourceOptions } from '../src/index.js';
import { FakeDevice, FakeSdkClient, FLOOR_MS, fakeRoute, routeError } from './support.js';

const sourceWith = (fetch: ReturnType<typeof fakeRoute>, options: Partial<TokenSourceOptions> = {}) =>
  createTokenSource({ url: '/api/token', fetch, ...options });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

// Each SDK's shape and the events it raises: Voice's Device, and Conversations' and Sync's clients.
const shapes = [
  { sdk: 'Voice Device', make: () => new FakeDevice(), events: ['tokenWillExpire'] },
  { sdk: 'Conversations Client / SyncClient', make: () => new FakeSdkClient(), events: ['tokenAboutToExpire', 'tokenExpired'] },
];
const listenersOn = (client: FakeDevice | FakeSdkClient) =>
  client instanceof FakeDevice ? client.eventNames().reduce((count, event) => count + client.listenerCount(event), 0) : client.listenerCount();

describe.each(shapes)('a $sdk', ({ make, events }) => {
  it.each(events)('gets a newer token on %s, once per floor', async (event) => {
    const fetch = fakeRoute();
    const source = sourceWith(fetch);
    const client = make();
    await source.getToken();
    source.attach(client);
    await vi.advanceTimersByTimeAsync(FLOOR_MS);
    // The cached token is fresh, but it is the one the client was made with.
    client.emit(event);
    await vi.advanceTimersByTimeAsync(0);
    expect(client.updateToken.mock.calls).toEqual([['jwt-2']]);
    // Within the floor of that request: the event asks for nothing.
    await vi.advanceTimersByTimeAsync(FLOOR_MS - 1);
    client.emit(event);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    client.emit(event);
    await vi.advanceTimersByTimeAsync(0);
    expect(client.updateToken.mock.calls).toEqual([['jwt-2'], ['jwt-3']]);
  });

  it('detaches: no listener left, no more tokens', async () => {
    const fetch = fakeRoute();
    const source = sourceWith(fetch);
    const client = make();
    const detach = source.attach(client);
    // The expiry events, and connectionStateChanged for the hand-over after tokenExpired.
    expect(listenersOn(client)).toBe(4);
    detach();
    expect(listenersOn(client)).toBe(0);
    client.emit(events[0]!);
    await source.getToken({ forceRefresh: true });
    expect(client.updateToken).not.toHaveBeenCalled();
  });

  it('is detached by close()', async () => {
    const source = sourceWith(fakeRoute());
    const client = make();
    source.attach(client);
    source.close();
    expect(listenersOn(client)).toBe(0);
  });
});

describe('after tokenExpired', () => {
  // twilsock drops an updateToken that arrives while its socket closes (DISCONNECTING, up to 3 s),
  // and then ignores the same token: the client must get it once disconnected, and only then.
  it('holds the new token back while the client is disconnecting, and gives it once disconnected', async () => {
    const fetch = fakeRoute();
    const source = sourceWith(fetch);
    await source.getToken();
    const client = new FakeSdkClient();
    source.attach(client);
    await vi.advanceTimersByTimeAsync(FLOOR_MS);
    client.connectionState = 'disconnecting';
    client.emit('connectionStateChanged', 'disconnecting');
    client.emit('tokenExpired');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(client.updateToken).not.toHaveBeenCalled();
    client.connectionState = 'disconnected';
    client.emit('connectionStateChanged', 'disconnected');
    await vi.advanceTimersByTimeAsync(0);
    expect(client.updateToken.mock.calls).toEqual([['jwt-2']]);
    // Once: a later disconnect (a network drop) is the SDK's own business.
    client.emit('connectionStateChanged', 'disconnected');
    await vi.advanceTimersByTimeAsync(0);
    expect(client.updateToken).toHaveBeenCalledTimes(1);
  });

  it('gives it at once when the client is already disconnected', async () => {
    const source = sourceWith(fakeRoute());
    await source.getToken();
    const client = new FakeSdkClient();
    source.attach(client);
    await vi.advanceTimersByTimeAsync(FLOOR_MS);
    client.connectionState = 'disconnected';
    client.emit('tokenExpired');
    await vi.advanceTimersByTimeAsync(0);
    expect(client.updateToken.mock.calls).toEqual([['jwt-2']]);
  });
});

describe('feeding', () => {
  it('gives a client the cached token when it has an older one, without a request', async () => {
    const fetch = fakeRoute();
    const source = sourceWith(fetch);
    const client = new FakeSdkClient();
    source.attach(client); // before any token: the client was made with one from elsewhere
    await source.getToken();
    expect(client.updateToken.mock.calls).toEqual([['jwt-1']]);
    const other = new FakeDevice();
    source.attach(other);
    await source.getToken({ forceRefresh: true });
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(client.updateToken).toHaveBeenLastCalledWith('jwt-2');
    expect(other.updateToken.mock.calls).toEqual([['jwt-2']]);
    // A later event of a client that already has the cached token forces a new one (past the floor).
    await vi.advanceTimersByTimeAsync(FLOOR_MS);
    other.emit('tokenWillExpire');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('takes a client with only removeListener', async () => {
    const source = sourceWith(fakeRoute());
    const device = new FakeDevice();
    const client: TokenConsumer = { updateToken: device.updateToken, on: device.on.bind(device), removeListener: device.removeListener.bind(device) };
    source.attach(client)();
    expect(device.listenerCount('tokenWillExpire')).toBe(0);
  });

  it('reports a rejected or throwing updateToken to onError, never as an unhandled rejection', async () => {
    const onError = vi.fn();
    const source = sourceWith(fakeRoute(), { onError });
    const rejecting = new FakeSdkClient();
    const rejection = new Error('identity changed');
    rejecting.updateToken.mockRejectedValue(rejection);
    const throwing = new FakeDevice();
    const thrown = new Error('device destroyed');
    throwing.updateToken.mockImplementation(() => {
      throw thrown;
    });
    source.attach(rejecting);
    source.attach(throwing);
    await source.getToken();
    await vi.advanceTimersByTimeAsync(0);
    expect(onError.mock.calls).toEqual(expect.arrayContaining([[rejection], [thrown]]));
    expect(onError).toHaveBeenCalledTimes(2);
  });

  it('a rejection that comes after close() is not reported', async () => {
    const onError = vi.fn();
    const source = sourceWith(fakeRoute(), { onError });
    const client = new FakeSdkClient();
    let rejectUpdate!: (error: Error) => void;
    client.updateToken.mockReturnValue(new Promise((_, reject) => (rejectUpdate = reject)));
    source.attach(client);
    await source.getToken();
    await vi.advanceTimersByTimeAsync(0);
    source.close();
    rejectUpdate(new Error('late'));
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).not.toHaveBeenCalled();
  });

  it('does nothing for a client attached after close()', () => {
    const source = sourceWith(fakeRoute());
    source.close();
    const client = new FakeSdkClient();
    source.attach(client);
    expect(client.listenerCount()).toBe(0);
  });
});

describe('errors of a refresh for a client', () => {
  it.each([
    { status: 401, code: 'UNAUTHENTICATED' },
    { status: 403, code: 'FORBIDDEN' },
  ])('$status stops feeding until a getToken() succeeds', async ({ status, code }) => {
    const onError = vi.fn();
    const fetch = fakeRoute(routeError(status, code));
    const source = sourceWith(fetch, { onError });
    const client = new FakeSdkClient();
    source.attach(client);
    client.emit('tokenAboutToExpire');
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code, status, retryable: false }));
    client.emit('tokenExpired');
    await vi.advanceTimersByTimeAsync(60e3);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(client.updateToken).not.toHaveBeenCalled();
    // Logged in again: the app asks, and the client is fed again.
    await source.getToken();
    expect(client.updateToken.mock.calls).toEqual([['jwt-2']]);
    await vi.advanceTimersByTimeAsync(FLOOR_MS);
    client.emit('tokenExpired');
    await vi.advanceTimersByTimeAsync(0);
    expect(client.updateToken).toHaveBeenLastCalledWith('jwt-3');
  });

  it('a retryable one is reported once the retries are spent, and the next event tries again', async () => {
    const onError = vi.fn();
    const fetch = fakeRoute(routeError(503, 'RATE_LIMIT_UNAVAILABLE'));
    const source = sourceWith(fetch, { onError, retries: 0 });
    const device = new FakeDevice();
    source.attach(device);
    device.emit('tokenWillExpire');
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'RATE_LIMIT_UNAVAILABLE', retryable: true }));
    await vi.advanceTimersByTimeAsync(FLOOR_MS);
    device.emit('tokenWillExpire');
    await vi.advanceTimersByTimeAsync(0);
    expect(device.updateToken.mock.calls).toEqual([['jwt-2']]);
  });

  it('CLOSED is not reported', async () => {
    const onError = vi.fn();
    const source = sourceWith(fakeRoute('hang'), { onError });
    const device = new FakeDevice();
    source.attach(device);
    device.emit('tokenWillExpire');
    source.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).not.toHaveBeenCalled();
  });
});
