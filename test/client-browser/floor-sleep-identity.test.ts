// The source's rules in Chromium with the real SDKs, each test as its own users, all at once:
// - a refusal: the policy answers 403 to the refresh an SDK's expiry event asks for: one request,
//   no retry, onError told, nothing reaches the SDK;
// - the floor: a signaling server that announces expiry right after every update and every 100 ms
//   gets at most one request per 5 s;
// - sleep: a page asleep past its token's expiry (its timers stopped, the clock moving on) gets a
//   fresh token on wake;
// - one identity per source: when the user logs out and someone else logs in (the session cookie
//   changes), with close() as the README's logout says, without it, and in another tab of the same
//   origin, the Device made for the first user never gets the second user's token: it is detached
//   and the app told (IDENTITY_CHANGED), or it was closed with the source.
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type { TwilsockAnnounce } from './fake-twilsock.js';
import type { VoiceAnnounce } from './fake-voice.js';
import { openPage, skipBrowserTests, sleep, USER_COOKIE, until, useBrowserHarness, verify } from './harness.js';
import type { ErrorRecord } from './page/common.js';
import { ANNOUNCE_BEFORE_MS, expectAlwaysValid, expiryEvents, FLOOR_MS, pageRecord, runSdk, type Sdk, start, tokenInfo, tokens } from './sdks.js';

interface DeviceState {
  token: string;
  identity: string | null;
  expiryListeners: number;
}

/** The voice page's hooks (page/voice.ts). */
type VoicePage = { getToken(): Promise<string>; logout(): void; devices(): DeviceState[] };
const devices = (page: Page) => page.evaluate(() => (window as unknown as { harness: VoicePage }).harness.devices());
const getToken = (page: Page) => page.evaluate(() => (window as unknown as { harness: VoicePage }).harness.getToken());
const logout = (page: Page) => page.evaluate(() => (window as unknown as { harness: VoicePage }).harness.logout());
/** Each Device of the page: whose token it holds, who it says it is, and its tokenWillExpire listeners. */
const whoseDevices = async (page: Page) =>
  (await devices(page)).map(({ token, identity, expiryListeners }) => ({ holds: tokenInfo(token).identity, identity, expiryListeners }));

/**
 * The route's ttl here: with refreshMargin 1 the source's own timer comes at 18 s, the SDKs' events
 * 6 s before expiry (at about 13 s), so what a test does before either (make the SDK, log in
 * elsewhere, fall asleep) has time even on a busy machine.
 */
const TTL = 20;

describe.skipIf(skipBrowserTests).concurrent('the floor, sleep and one identity, with the real SDKs in Chromium', () => {
  const harness = useBrowserHarness({ concurrent: true });
  beforeAll(() => {
    harness.server.ttl = TTL;
  });
  /** Logs the browser context in as `user`: every tab of it from now on, as a session cookie would. */
  const logInAs = (context: BrowserContext, user: string) => context.addCookies([{ name: USER_COOKIE, value: user, url: harness.server.baseUrl }]);
  const identitiesOf = (tokens: string[]) => tokens.map((token) => tokenInfo(token).identity);
  const identityChanged: ErrorRecord = expect.objectContaining({ name: 'TokenSourceError', code: 'IDENTITY_CHANGED', retryable: false });
  const requestsOf = (user: string) => harness.server.requests.filter((entry) => entry.user === user);

  test("the policy refuses (403) the refresh an SDK's expiry event asks for: one request, no retry, onError told", async () => {
    const refusals: [Sdk, VoiceAnnounce | TwilsockAnnounce][] = [
      ['voice', 'every'],
      ['conversations', 'about-to-expire'],
      ['sync', 'expired'],
    ];
    await Promise.all(
      refusals.map(async ([sdk, announce]) => {
        const user = `${sdk}_refused`;
        const running = await runSdk(harness, user, sdk, announce);
        // The source's timer at 18 s (ttl - 1 - refreshMargin): the SDK's event, 6 s before expiry, asks first.
        await tokens(running.page, { refreshMargin: 1 });
        // Refused from now on; the SDK is made with the token the source has.
        harness.server.denied.add(user);
        await start(running.page, { tokenRefreshMs: ANNOUNCE_BEFORE_MS });
        await until(() => requestsOf(user).length > 1, `the refresh after the policy flipped (${user})`, 40_000);
        // The source's first retry would come within 500 ms (its backoff base): wait well past it.
        await sleep(1500);
        expect(requestsOf(user).map((entry) => entry.status)).toEqual([200, 403]);
        expect(running.received()).toHaveLength(1);
        const record = await pageRecord(running.page);
        expect(expiryEvents(record).length).toBeGreaterThanOrEqual(1);
        expect(record.errors).toEqual([expect.objectContaining({ name: 'TokenSourceError', status: 403, code: 'FORBIDDEN', retryable: false })]);
        running.stop();
        expect(running.otherSockets).toEqual([]);
        expect(running.pageErrors).toEqual([]);
      }),
    );
  }, 90_000);

  test('a server announcing expiry right after every update and every 100 ms: at most one request per 5 s', async () => {
    const storms: [Sdk, VoiceAnnounce | TwilsockAnnounce][] = [
      ['voice', 'storm'],
      ['sync', 'storm'],
    ];
    await Promise.all(
      storms.map(async ([sdk, announce]) => {
        const user = `${sdk}_storm`;
        const before = Date.now();
        const running = await runSdk(harness, user, sdk, announce);
        await start(running.page);
        await sleep(8000);
        running.stop();
        const requests = requestsOf(user);
        // Refreshed again once the floor allowed (on the storm's events or the source's timer), and
        // at most once per floor since the page opened (without the floor: hundreds in 3 s).
        expect(requests.length).toBeGreaterThanOrEqual(2);
        expect(requests.length).toBeLessThanOrEqual(1 + Math.floor((Date.now() - before) / FLOOR_MS));
        expect(expiryEvents(await pageRecord(running.page)).length).toBeGreaterThan(20);
        expectAlwaysValid(running.received(), user, sdk, Date.now());
        expect(running.pageErrors).toEqual([]);
      }),
    );
  }, 90_000);

  test('a page asleep past the expiry (no timer runs, the clock moves on) gets a fresh token on wake', async () => {
    const sleepers: [Sdk, VoiceAnnounce | TwilsockAnnounce][] = [
      ['voice', 'first'],
      ['sync', 'manual'],
    ];
    await Promise.all(
      sleepers.map(async ([sdk, announce]) => {
        const user = `${sdk}_asleep`;
        const running = await runSdk(harness, user, sdk, announce, 0);
        // The source's timer at 18 s (ttl - 1 - refreshMargin), far from the moment it falls asleep.
        await tokens(running.page, { refreshMargin: 1 });
        const token = await start(running.page, { tokenRefreshMs: ANNOUNCE_BEFORE_MS });
        // Asleep: the page's timers stop (from a moment just ahead of its clock: pauseAt only
        // goes forward); the route's clock goes on past the token's expiry.
        const asleep = Date.now();
        await running.context.clock.pauseAt((await running.page.evaluate(() => Date.now())) + 1000);
        await sleep((tokenInfo(token).exp + 1) * 1000 - Date.now());
        expect(running.received()).toHaveLength(1);
        expect(requestsOf(user)).toHaveLength(1);
        // Awake: the clock jumps by the time slept, the overdue timers run once, then time flows.
        const awake = Date.now();
        await running.context.clock.fastForward(awake - asleep);
        await running.context.clock.resume();
        await until(() => running.received().length > 1, `a fresh token on wake (${user})`, 5000);
        const [, fresh] = running.received();
        expect(fresh!.at).toBeGreaterThanOrEqual(awake);
        expect(verify(fresh!.token, fresh!.at).claims.grants?.identity).toBe(user);
        expect(requestsOf(user).map((entry) => entry.status)).toEqual([200, 200]);
        running.stop();
        expect(running.pageErrors).toEqual([]);
      }),
    );
  }, 90_000);

  test("a login as bob without close(): the next refresh is bob's, the Device stays alice, is detached and the app told", async () => {
    const alice = await runSdk(harness, 'alice1', 'voice', 'first');
    // The source's timer at 18 s (ttl - 1 - refreshMargin): time enough to log in as bob first.
    await tokens(alice.page, { refreshMargin: 1 });
    await start(alice.page);
    await logInAs(alice.context, 'bob1');
    // The source's own timer asks again: the route answers for bob now.
    await until(() => requestsOf('bob1').length === 1, "the source's refresh, answered for bob", 40_000);
    await until(async () => (await pageRecord(alice.page)).errors.length > 0, 'onError', 5000);
    expect((await pageRecord(alice.page)).errors).toEqual([identityChanged]);
    // The Device holds alice's token, says alice, and only the page's own listener is left on it.
    expect(await whoseDevices(alice.page)).toEqual([{ holds: 'alice1', identity: 'alice1', expiryListeners: 1 }]);
    const listens = alice.voice!.listens.length;
    // The app, told, asks: the token is bob's.
    expect(verify(await getToken(alice.page)).claims.grants?.identity).toBe('bob1');
    expect(requestsOf('bob1')).toHaveLength(1);
    await sleep(1000);
    expect(alice.voice!.listens).toHaveLength(listens);
    // Every token the Device ever sent is alice's (one, or two if her source renewed it before the login).
    expect(new Set(identitiesOf(alice.voice!.tokensOn(1)))).toEqual(new Set(['alice1']));
    expect(alice.pageErrors).toEqual([]);
  }, 90_000);

  test("logout with close() and a new source for bob: each Device only ever gets its own user's tokens", async () => {
    const tab = await runSdk(harness, 'alice2', 'voice', 'first');
    await tokens(tab.page, { refreshMargin: 1 });
    await start(tab.page);
    await logout(tab.page);
    const alicesTokens = tab.voice!.tokensOn(1);
    await logInAs(tab.context, 'bob2');
    const bobsToken = await start(tab.page);
    expect(tokenInfo(bobsToken).identity).toBe('bob2');
    // Bob's source renews his Device's token on its timer.
    await until(() => tab.voice!.tokensOn(2).length >= 2, "bob's Device to get its second token", 40_000);
    // Alice's Device got nothing after the logout, and only ever alice's tokens.
    expect(tab.voice!.tokensOn(1)).toEqual(alicesTokens);
    expect(new Set(identitiesOf(alicesTokens))).toEqual(new Set(['alice2']));
    expect(new Set(identitiesOf(tab.voice!.tokensOn(2)))).toEqual(new Set(['bob2']));
    expect(await whoseDevices(tab.page)).toEqual([
      { holds: 'alice2', identity: 'alice2', expiryListeners: 1 },
      { holds: 'bob2', identity: 'bob2', expiryListeners: 2 },
    ]);
    expect((await pageRecord(tab.page)).errors).toEqual([]);
    expect(tab.pageErrors).toEqual([]);
  }, 90_000);

  test("another tab logs in as bob: this tab never takes bob's token from it, and its own refresh tells it", async () => {
    const tab = await runSdk(harness, 'alice3', 'voice', 'first');
    // The source's timer at 18 s (ttl - 1 - refreshMargin): time enough for the other tab first.
    await tokens(tab.page, { refreshMargin: 1 });
    const token = await start(tab.page);
    // The other tab: same origin, same params, sharing across tabs (the default).
    const other = await openPage(tab.context, harness.server, 'voice');
    await logInAs(tab.context, 'bob3');
    const bobs = await tokens(other.page, {});
    expect(tokenInfo(bobs.token).identity).toBe('bob3');
    await sleep(500);
    // This tab kept its own token (it answers getToken() from its cache) and its Device is untouched.
    expect(await getToken(tab.page)).toBe(token);
    expect(await devices(tab.page)).toEqual([{ token, identity: 'alice3', expiryListeners: 2 }]);
    expect((await pageRecord(tab.page)).errors).toEqual([]);
    // Its own timer's request comes back for bob: detached and told, never fed.
    await until(() => requestsOf('bob3').length === 2, "this tab's refresh, answered for bob", 40_000);
    await until(async () => (await pageRecord(tab.page)).errors.length > 0, 'onError', 5000);
    expect((await pageRecord(tab.page)).errors).toEqual([identityChanged]);
    expect(await whoseDevices(tab.page)).toEqual([{ holds: 'alice3', identity: 'alice3', expiryListeners: 1 }]);
    expect(new Set(identitiesOf(tab.voice!.tokensOn(1)))).toEqual(new Set(['alice3']));
    expect([...tab.pageErrors, ...other.pageErrors]).toEqual([]);
  }, 90_000);
});
