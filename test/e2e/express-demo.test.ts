// The Express demo in a real browser: Debian's Chromium, driven by playwright-core (never a downloaded browser).
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyAccessToken } from '@grantor/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../examples/express-passport/src/app.js';
import { loadCredentials } from '../../examples/shared/src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
// An empty environment, so the made-up demo credentials sign, whatever the machine has configured.
const credentials = loadCredentials({} as NodeJS.ProcessEnv);

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
  });

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
  });

  async function openPage(): Promise<{ page: Page; pageErrors: Error[] }> {
    const page = await (await browser.newContext()).newPage();
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(baseUrl);
    return { page, pageErrors };
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
    await expect.poll(() => page.locator('#error').innerText()).toBe('Guests may only join the "lobby" room.');
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
    await expect.poll(() => page.locator('#error').innerText()).toBe('Wrong username or password.');
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.locator('#get-token').waitFor({ state: 'hidden' });
    expect(pageErrors).toEqual([]);
  });
});
