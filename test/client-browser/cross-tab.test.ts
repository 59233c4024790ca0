// Two tabs of one origin (two pages of one BrowserContext) asking for the same token at once: with
// shareAcrossTabs (Web Locks + BroadcastChannel) the route gets one request and both tabs the same
// token; without it, each tab asks for its own.
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { openPage, type PageHandle, skipBrowserTests, until, useBrowserHarness, verify } from './harness.js';

describe.skipIf(skipBrowserTests)('two tabs of one origin', () => {
  const harness = useBrowserHarness();

  async function twoTabs(): Promise<[PageHandle, PageHandle]> {
    const { context } = await harness.newContext('alice');
    return [await openPage(context, harness.server, 'tab'), await openPage(context, harness.server, 'tab')];
  }

  const getToken = (page: Page, shareAcrossTabs: boolean) =>
    page.evaluate((share) => (window as unknown as { harness: { getToken(share: boolean): Promise<string> } }).harness.getToken(share), shareAcrossTabs);

  test('sharing: both tabs call getToken() at once, the route gets one request, both get the same token', async () => {
    const [first, second] = await twoTabs();
    // The route answers once the other tab waits for the shared lock (or, sharing broken, asks too):
    // the second tab asks while the first tab's request is in flight, however busy the machine.
    const lockWaiters = () => first.page.evaluate(async () => (await navigator.locks.query()).pending?.length ?? 0);
    harness.server.answerWhen = () => until(async () => harness.server.requests.length > 1 || (await lockWaiters()) > 0, 'the other tab to ask');
    const [tokenA, tokenB] = await Promise.all([getToken(first.page, true), getToken(second.page, true)]);
    expect(harness.server.requests.map((entry) => [entry.user, entry.params, entry.status])).toEqual([['alice', { room: 'lobby' }, 200]]);
    expect(tokenB).toBe(tokenA);
    expect(verify(tokenA).claims.grants).toEqual({ identity: 'alice', video: { room: 'lobby' } });
    expect([...first.pageErrors, ...second.pageErrors]).toEqual([]);
  });

  test('shareAcrossTabs: false: the same two calls make two requests and two different tokens', async () => {
    const [first, second] = await twoTabs();
    // The route answers once both tabs asked: two requests in flight at once, neither waiting for the other.
    harness.server.answerWhen = () => until(() => harness.server.requests.length > 1, 'both tabs to ask');
    const [tokenA, tokenB] = await Promise.all([getToken(first.page, false), getToken(second.page, false)]);
    expect(harness.server.requests.map((entry) => entry.status)).toEqual([200, 200]);
    expect(tokenB).not.toBe(tokenA);
    verify(tokenA);
    verify(tokenB);
  });
});
