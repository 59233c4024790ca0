/** Browser-only behaviour with fakes of its globals: tabs sharing one request, and refreshing on online / visible. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenSource, type TokenSourceOptions } from '../src/index.js';
import { FakeBroadcastChannel, FakeDevice, FLOOR_MS, fakeRoute, HOUR, json, routeError, stubPage, stubServerGlobals, stubTabs, tokenBody } from './support.js';

const options = { url: '/api/token', params: { room: 'lobby' } };
let tabsOpened = 0;
/** A tab: its own source and its own fetch, answering tokens named after the tab, in the one origin the stubs make. */
const openTab = (extra: Partial<TokenSourceOptions> = {}) => {
  const tab = String.fromCharCode(97 + tabsOpened++);
  const fetch = fakeRoute(...Array.from({ length: 9 }, (_, call) => () => json(200, tokenBody(`${tab}${call + 1}`))));
  return { fetch, source: createTokenSource({ ...options, fetch, ...extra }) };
};

beforeEach(() => {
  vi.useFakeTimers();
  tabsOpened = 0;
});
afterEach(() => {
  FakeBroadcastChannel.open.forEach((channel) => channel.close());
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('tabs of one origin', () => {
  it('ten tabs asking at once mint one token', async () => {
    stubTabs();
    const tabs = Array.from({ length: 10 }, () => openTab());
    const asking = Promise.all(tabs.map(({ source }) => source.getToken()));
    // Each tab holds the lock a moment after its turn, for the hand-over.
    await vi.advanceTimersByTimeAsync(10_000);
    const tokens = await asking;
    expect(tabs.reduce((calls, { fetch }) => calls + fetch.mock.calls.length, 0)).toBe(1);
    expect(new Set(tokens.map(({ token }) => token)).size).toBe(1);
    expect(tokens[9]!.expiresAt).toBeInstanceOf(Date);
  });

  it('take turns by a lock named after method, url and params', async () => {
    const locks = stubTabs();
    const { source } = openTab();
    await source.getToken();
    source.setParams({ room: 'kitchen' });
    await source.getToken();
    expect(locks.requested).toEqual(['grantor POST /api/token {"room":"lobby"}', 'grantor POST /api/token {"room":"kitchen"}']);
  });

  it('a tab takes the token another one fetched, and feeds its clients with it', async () => {
    stubTabs();
    const first = openTab();
    const second = openTab();
    const device = new FakeDevice();
    second.source.attach(device);
    await first.source.getToken();
    await vi.advanceTimersByTimeAsync(0);
    expect(device.updateToken.mock.calls).toEqual([['jwt-a1']]);
    expect((await second.source.getToken()).token).toBe('jwt-a1');
    expect(second.fetch).not.toHaveBeenCalled();
  });

  it('a tab that needs a newer token than the shared one fetches it', async () => {
    stubTabs();
    const first = openTab();
    const second = openTab();
    await first.source.getToken();
    await vi.advanceTimersByTimeAsync(1000);
    expect((await second.source.getToken({ forceRefresh: true })).token).toBe('jwt-b1');
    // The first tab now holds the second's token: it expires later.
    await vi.advanceTimersByTimeAsync(0);
    expect((await first.source.getToken()).token).toBe('jwt-b1');
    expect(first.fetch).toHaveBeenCalledTimes(1);
  });

  it('ignores a shared token that expires before its own', async () => {
    stubTabs();
    const longer = openTab();
    const shorter = createTokenSource({ ...options, fetch: fakeRoute(json(200, tokenBody(7, 600))) });
    const own = await longer.source.getToken();
    const shorterToken = shorter.getToken({ forceRefresh: true });
    await vi.advanceTimersByTimeAsync(1_000);
    await shorterToken;
    expect(await longer.source.getToken()).toBe(own);
  });

  it("a tab never takes another identity's token: its clients keep theirs until its own request tells it", async () => {
    stubTabs();
    const onError = vi.fn();
    const alices = openTab({ onError });
    const device = new FakeDevice();
    const own = await alices.source.getToken();
    alices.source.attach(device);
    // The other tab logged out and in as bob (one cookie jar: the route now answers bob to both).
    const bobs = createTokenSource({ ...options, fetch: fakeRoute(json(200, { ...tokenBody('b1', 2 * HOUR), identity: 'bob' })) });
    await vi.advanceTimersByTimeAsync(1000);
    expect((await bobs.getToken()).identity).toBe('bob');
    await vi.advanceTimersByTimeAsync(1000);
    expect(await alices.source.getToken()).toBe(own);
    expect(device.updateToken).not.toHaveBeenCalled();
    expect(alices.fetch).toHaveBeenCalledTimes(1);
    // Its own refresh comes back for bob: the device is detached and the app told, never fed.
    alices.fetch.mockImplementation(() => Promise.resolve(json(200, { ...tokenBody('a2'), identity: 'bob' })));
    await vi.advanceTimersByTimeAsync(HOUR * 1e3);
    expect(alices.fetch).toHaveBeenCalledTimes(2);
    expect(device.updateToken).not.toHaveBeenCalled();
    expect(device.eventNames()).toEqual([]);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'IDENTITY_CHANGED' }));
    bobs.close();
  });

  it('tabs with other params do not share', async () => {
    stubTabs();
    const lobby = openTab();
    const kitchen = openTab({ params: { room: 'kitchen' } });
    await Promise.all([lobby.source.getToken(), kitchen.source.getToken()]);
    expect([lobby.fetch, kitchen.fetch].map((fetch) => fetch.mock.calls.length)).toEqual([1, 1]);
  });

  it('shareAcrossTabs: false fetches in every tab', async () => {
    const locks = stubTabs();
    const tabs = [openTab({ shareAcrossTabs: false }), openTab({ shareAcrossTabs: false })];
    await Promise.all(tabs.map(({ source }) => source.getToken()));
    expect(tabs.map(({ fetch }) => fetch.mock.calls.length)).toEqual([1, 1]);
    expect(locks.requested).toEqual([]);
  });

  it('close() ends the wait for the lock and leaves the channel', async () => {
    stubTabs();
    const holder = createTokenSource({ ...options, fetch: fakeRoute('hang') });
    const waiter = openTab();
    void holder.getToken().catch(() => {});
    const waiting = waiter.source.getToken().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    waiter.source.close();
    expect(await waiting).toMatchObject({ code: 'CLOSED' });
    expect(waiter.fetch).not.toHaveBeenCalled();
    expect(FakeBroadcastChannel.open.size).toBe(1);
    holder.close();
  });

  it('outside a page (a Node 24 server: locks and BroadcastChannel, no document) sources of different users share nothing', async () => {
    stubServerGlobals();
    // One route URL, two users of one server process, each with its own bearer header.
    const sourceFor = (identity: string) => {
      const fetch = fakeRoute(() => json(200, { ...tokenBody(identity), identity }));
      return createTokenSource({ ...options, fetch, headers: { authorization: `Bearer ${identity}` } });
    };
    const [alice, bob] = [sourceFor('alice'), sourceFor('bob')];
    const asking = Promise.all([alice.getToken(), bob.getToken()]);
    await vi.advanceTimersByTimeAsync(10_000);
    const tokens = await asking;
    expect(tokens.map(({ identity, token }) => [identity, token])).toEqual([
      ['alice', 'jwt-alice'],
      ['bob', 'jwt-bob'],
    ]);
    // Nothing opened that a source made per server-side render would leak.
    expect(FakeBroadcastChannel.open.size).toBe(0);
  });

  it('shareAcrossTabs: true shares outside a page too (a worker of one user)', async () => {
    stubServerGlobals();
    const tabs = [openTab({ shareAcrossTabs: true }), openTab({ shareAcrossTabs: true })];
    const asking = Promise.all(tabs.map(({ source }) => source.getToken()));
    await vi.advanceTimersByTimeAsync(10_000);
    const tokens = await asking;
    expect(tabs.reduce((calls, { fetch }) => calls + fetch.mock.calls.length, 0)).toBe(1);
    expect(new Set(tokens.map(({ token }) => token)).size).toBe(1);
  });

  it('without navigator.locks (Node 20, React Native) every source fetches alone', async () => {
    vi.stubGlobal('BroadcastChannel', FakeBroadcastChannel);
    const tabs = [openTab(), openTab()];
    await Promise.all(tabs.map(({ source }) => source.getToken()));
    expect(tabs.map(({ fetch }) => fetch.mock.calls.length)).toEqual([1, 1]);
    expect(FakeBroadcastChannel.open.size).toBe(0);
  });
});

describe('coming back online or visible', () => {
  // Asleep past the expiry: the clock moves on, no timer runs (the source's own one included).
  const expireTheToken = () => vi.setSystemTime(Date.now() + HOUR * 1e3);

  it.each([
    { event: 'online', wake: (page: ReturnType<typeof stubPage>) => page.goOnline() },
    { event: 'visibilitychange to visible', wake: (page: ReturnType<typeof stubPage>) => page.show() },
  ])('$event refreshes a token that expired meanwhile and feeds the clients', async ({ wake }) => {
    const page = stubPage();
    const { fetch, source } = openTab();
    const device = new FakeDevice();
    await source.getToken();
    source.attach(device);
    await expireTheToken();
    wake(page);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(device.updateToken.mock.calls).toEqual([['jwt-a2']]);
  });

  it('refreshes for an attached client even before any token was fetched', async () => {
    const page = stubPage();
    const { fetch, source } = openTab();
    source.attach(new FakeDevice());
    page.goOnline();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('does nothing while the token is fresh, when hidden, when nobody used the source, or after close()', async () => {
    const page = stubPage();
    const unused = openTab();
    const used = openTab();
    await used.source.getToken();
    page.goOnline();
    page.show();
    await expireTheToken();
    page.hide();
    await vi.advanceTimersByTimeAsync(0);
    expect([unused.fetch, used.fetch].map((fetch) => fetch.mock.calls.length)).toEqual([0, 1]);
    used.source.close();
    page.goOnline();
    await vi.advanceTimersByTimeAsync(0);
    expect(used.fetch).toHaveBeenCalledTimes(1);
  });

  it('does not refresh after a terminal error', async () => {
    const page = stubPage();
    const fetch = fakeRoute(json(200, tokenBody(1)), routeError(401, 'UNAUTHENTICATED'));
    const source = createTokenSource({ ...options, fetch });
    await source.getToken();
    await expireTheToken();
    await expect(source.getToken()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    page.goOnline();
    page.show();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('asks at most once per floor', async () => {
    const page = stubPage();
    const fetch = fakeRoute(json(200, tokenBody(1)), routeError(500, 'INTERNAL_ERROR'), routeError(500, 'INTERNAL_ERROR'));
    const source = createTokenSource({ ...options, fetch, retries: 0, onError: () => {} });
    await source.getToken();
    await expireTheToken();
    page.goOnline();
    page.show();
    await vi.advanceTimersByTimeAsync(FLOOR_MS - 1);
    page.goOnline();
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    page.show();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('reports a failed refresh to onError', async () => {
    const page = stubPage();
    const onError = vi.fn();
    const fetch = fakeRoute(json(200, tokenBody(1)), routeError(500, 'INTERNAL_ERROR'));
    const source = createTokenSource({ ...options, fetch, onError, retries: 0 });
    await source.getToken();
    await expireTheToken();
    page.goOnline();
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'INTERNAL_ERROR' }));
  });
});
