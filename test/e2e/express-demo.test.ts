// The Express demo in a real browser: Debian's Chromium, driven by playwright-core (never a downloaded browser).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { verifyAccessToken } from '@grantor/core';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../examples/express-passport/src/app.js';
import { loadCredentials } from '../../examples/shared/src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
// An empty environment, so the made-up demo credentials sign, whatever the machine has configured.
const credentials = loadCredentials({} as NodeJS.ProcessEnv);
/** `pnpm -s grantor <args>` in this checkout: the demo page's hint for a clone of grantor. */
const runGrantor = (...args: string[]) => promisify(execFile)('pnpm', ['-s', 'grantor', ...args], { cwd: join(import.meta.dirname, '../..') });

// Locally a missing Chromium skips this file; in CI it fails, in beforeAll.
describe.skipIf(!hasChromium && !process.env.CI)('the Express demo in Chromium', () => {
  let server: http.Server;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
    server = http.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The page's own origin only, as the demo server configures it: the browser's Origin header must match.
    server.on('request', createApp({ credentials, allowedOrigins: [baseUrl] }));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    // `pnpm -s grantor` builds core and the CLI first when their sources are newer than the CLI's
    // build (after any edit or checkout): here, not inside the "Copy token" test and its timeout.
    await runGrantor('--version');
  });

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
  });

  /**
   * Opens the page in a new context; `notFound` collects the URLs answered 404, `pageErrors` what
   * the page threw. `fakeClock` installs Playwright's clock first, which time then flows on from now.
   */
  async function openPage(options: BrowserContextOptions & { fakeClock?: boolean } = {}): Promise<{ page: Page; pageErrors: Error[]; notFound: string[] }> {
    const { fakeClock, ...contextOptions } = options;
    const page = await (await browser.newContext(contextOptions)).newPage();
    const pageErrors: Error[] = [];
    const notFound: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    page.on('response', (response) => {
      if (response.status() === 404) notFound.push(response.url());
    });
    if (fakeClock) await page.clock.install();
    await page.goto(baseUrl);
    return { page, pageErrors, notFound };
  }

  /** The error the page shows: its message and its code. */
  async function shownError(page: Page): Promise<{ message: string; code: string }> {
    return { message: await page.locator('#error-message').innerText(), code: await page.locator('#error-code').innerText() };
  }

  async function logIn(page: Page, username: string, password: string): Promise<void> {
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('#login');
  }

  /** Asks for a token for the room and returns the token route's JSON answer. */
  async function getToken(page: Page, room: string): Promise<{ status: number; body: Record<string, unknown> }> {
    await page.fill('#room', room);
    const [response] = await Promise.all([page.waitForResponse((res) => res.url().endsWith('/api/token')), page.click('#get-token')]);
    return { status: response.status(), body: await response.json() };
  }

  test('alice gets a token with her grants; after logout, bob is refused a room but gets the lobby', async () => {
    const { page, pageErrors } = await openPage();
    await expect.poll(() => page.locator('#demo-banner').innerText()).toContain('made-up demo credentials');

    await logIn(page, 'alice', 'alice-pass');
    await page.locator('#logout').waitFor({ state: 'visible' });
    const alice = await getToken(page, 'standup');
    expect(alice.status).toBe(200);
    expect(verifyAccessToken(alice.body.token as string, credentials).claims.grants?.identity).toBe('alice');
    await expect.poll(() => page.locator('#identity').innerText()).toBe('alice');
    expect(JSON.parse(await page.locator('#grants').innerText())).toEqual({
      identity: 'alice',
      video: { room: 'standup' },
      chat: {},
      voice: { incoming: { allow: true } },
    });
    const countdown = page.locator('#countdown');
    await expect.poll(() => countdown.innerText()).toMatch(/^(1:00:00|59:\d\d)$/);
    const firstReading = await countdown.innerText();
    await expect.poll(() => countdown.innerText(), { timeout: 3000 }).not.toBe(firstReading);

    await page.click('#logout');
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.locator('#result').waitFor({ state: 'hidden' });

    await logIn(page, 'bob', 'bob-pass');
    await page.locator('#logout').waitFor({ state: 'visible' });
    expect((await getToken(page, 'other')).status).toBe(403);
    await expect.poll(() => shownError(page)).toEqual({ message: 'Guests may only join the "lobby" room.', code: 'FORBIDDEN' });
    await page.locator('#result').waitFor({ state: 'hidden' });

    const bob = await getToken(page, 'lobby');
    expect(bob.status).toBe(200);
    await page.locator('#error').waitFor({ state: 'hidden' });
    await expect.poll(() => page.locator('#identity').innerText()).toBe('bob');
    expect(JSON.parse(await page.locator('#grants').innerText())).toEqual({ identity: 'bob', video: { room: 'lobby' } });
    await expect.poll(() => countdown.innerText()).toMatch(/^(10:00|09:\d\d)$/);
    expect(pageErrors).toEqual([]);
  });

  test('a wrong password shows the error and keeps the login form', async () => {
    const { page, pageErrors } = await openPage();
    await logIn(page, 'alice', 'wrong');
    await expect.poll(() => shownError(page)).toEqual({ message: 'Wrong username or password.', code: 'UNAUTHENTICATED' });
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.locator('#get-token').waitFor({ state: 'hidden' });
    expect(pageErrors).toEqual([]);
  });

  /** Whether the page is wider than the window (a horizontal scroll bar). */
  const scrollsSideways = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth > window.innerWidth);

  test('at 375 px wide nothing scrolls sideways; the page has a favicon and makes no request that gets 404', async () => {
    const { page, pageErrors, notFound } = await openPage({ viewport: { width: 375, height: 667 } });
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await scrollsSideways(page)).toBe(false);

    const favicon = await page.locator('link[rel="icon"]').evaluate((link: HTMLLinkElement) => link.href);
    const icon = await page.request.get(favicon);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toMatch(/^image\/svg\+xml/);

    await logIn(page, 'alice', 'wrong');
    await expect.poll(() => shownError(page)).toEqual({ message: 'Wrong username or password.', code: 'UNAUTHENTICATED' });
    expect(await scrollsSideways(page)).toBe(false);
    await logIn(page, 'alice', 'alice-pass');
    await page.locator('#logout').waitFor({ state: 'visible' });
    expect((await getToken(page, 'a-room-with-a-rather-long-name-for-a-small-screen')).status).toBe(200);
    await page.locator('#result summary').click();
    await page.locator('#raw-token').waitFor({ state: 'visible' });
    expect(await scrollsSideways(page)).toBe(false);
    const copy = await page.locator('#copy-token').boundingBox();
    expect(copy!.x + copy!.width).toBeLessThanOrEqual(375);
    expect(notFound).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test('"Copy token" puts the raw token on the clipboard, for grantor decode', async () => {
    const { page, pageErrors } = await openPage({ permissions: ['clipboard-read', 'clipboard-write'] });
    await logIn(page, 'bob', 'bob-pass');
    await page.locator('#logout').waitFor({ state: 'visible' });
    const { body } = await getToken(page, 'lobby');
    await expect.poll(() => page.locator('#result .copy').innerText()).toContain('npx @grantor/cli decode <token>');
    expect(await page.locator('#result .copy').innerText()).toContain('pnpm -s grantor decode <token>');
    await page.click('#copy-token');
    await expect.poll(() => page.locator('#copy-token').innerText()).toBe('Copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(body.token);
    expect(verifyAccessToken(copied, credentials).claims.grants).toEqual({ identity: 'bob', video: { room: 'lobby' } });
    expect(pageErrors).toEqual([]);
    // The hint's command for a clone of grantor (the npx one is tested against the run's registry, in test/host-apps/registry-install.test.ts).
    const { stdout } = await runGrantor('decode', copied);
    expect(stdout).toMatch(/Identity\s+bob/);
  });

  test('the token refreshes itself a minute before it expires, and the countdown starts again', async () => {
    // A fake clock in the page: an hour's token (alice's) goes stale in a moment, not an hour.
    const { page, pageErrors } = await openPage({ fakeClock: true });
    await logIn(page, 'alice', 'alice-pass');
    await page.locator('#logout').waitFor({ state: 'visible' });
    const first = await getToken(page, 'standup');
    expect(first.body.ttl).toBe(3600);
    const countdown = page.locator('#countdown');
    await expect.poll(() => countdown.innerText()).toMatch(/^(1:00:00|59:\d\d)$/);

    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/token')) tokenRequests.push(request.url());
    });
    // 58:30 in: the token is not stale yet (60 s margin), so nothing is asked for.
    await page.clock.fastForward('58:30');
    await expect.poll(() => countdown.innerText()).toMatch(/^01:[23]\d$/);
    expect(tokenRequests).toEqual([]);

    // 59:05 in, 55 s before the countdown ends: a new token, with its own countdown.
    const [refreshed] = await Promise.all([page.waitForResponse((res) => res.url().endsWith('/api/token')), page.clock.fastForward('00:35')]);
    expect(refreshed.status()).toBe(200);
    const second = (await refreshed.json()) as { token: string };
    expect(JSON.parse(refreshed.request().postData()!)).toEqual({ room: 'standup' });
    expect(second.token).not.toBe(first.body.token);
    const { claims } = verifyAccessToken(second.token, credentials);
    expect(claims.grants).toEqual({ identity: 'alice', video: { room: 'standup' }, chat: {}, voice: { incoming: { allow: true } } });
    await expect.poll(() => page.locator('#raw-token').textContent()).toBe(second.token);
    await expect.poll(() => countdown.innerText()).toMatch(/^(1:00:00|59:\d\d)$/);
    expect(tokenRequests).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  });

  test('logging out closes the token source: no refresh follows', async () => {
    const { page, pageErrors } = await openPage({ fakeClock: true });
    await logIn(page, 'bob', 'bob-pass');
    await page.locator('#logout').waitFor({ state: 'visible' });
    expect((await getToken(page, 'lobby')).body.ttl).toBe(600);
    await page.click('#logout');
    await page.locator('#login').waitFor({ state: 'visible' });

    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/token')) tokenRequests.push(request.url());
    });
    await page.clock.fastForward('15:00');
    await page.evaluate(() => new Promise((wake) => setTimeout(wake, 100)));
    expect(tokenRequests).toEqual([]);
    await page.locator('#error').waitFor({ state: 'hidden' });
    expect(pageErrors).toEqual([]);
  });
});
