// The browser tests' harness: one 127.0.0.1 server with a real grantor token route (@grantor/express)
// and the pages, esbuild bundles of the page scripts (the real SDK packages and @grantor/client's
// source), and Debian's Chromium driven by playwright-core with every request to anywhere but that
// server answered by a fake or refused, so nothing leaves the machine.
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type DecodedAccessToken, verifyAccessToken } from '@grantor/core';
import { createTokenRoute, type PolicyDecision } from '@grantor/express';
import * as esbuild from 'esbuild';
import express from 'express';
import { body } from 'express-validator';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** Locally a missing Chromium skips the browser tests; in CI they fail, in beforeAll (see `requireChromium`). */
export const skipBrowserTests = !hasChromium && !process.env.CI;

export function requireChromium(): void {
  if (!hasChromium) throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
}

/** Made-up credentials: grantor signs locally with them and the tests verify with them; nothing calls Twilio. */
export const credentials = {
  accountSid: `AC${'0123456789abcdef'.repeat(2)}`,
  keys: { sid: `SK${'fedcba9876543210'.repeat(2)}`, secret: 'client-browser-test-secret' },
};

export const SERVICE_SIDS = {
  chat: `IS${'1'.repeat(32)}`,
  sync: `IS${'2'.repeat(32)}`,
};

/** The token route's lifetime: short, as a refreshing app would choose, and far from the 60 s refresh margin's edge. */
export const TOKEN_TTL = 120;

/** What the test policy grants for each `sdk` param, and how each grant reads in the signed token (Twilio's names). */
const GRANTS: Record<string, { policy: Record<string, unknown>; claims: Record<string, unknown> }> = {
  voice: { policy: { voice: { incomingAllow: true } }, claims: { voice: { incoming: { allow: true } } } },
  conversations: { policy: { chat: { serviceSid: SERVICE_SIDS.chat } }, claims: { chat: { service_sid: SERVICE_SIDS.chat } } },
  sync: { policy: { sync: { serviceSid: SERVICE_SIDS.sync } }, claims: { data_sync: { service_sid: SERVICE_SIDS.sync } } },
};

function grantsOf(params: Record<string, unknown>) {
  const room = String(params.room ?? 'lobby');
  return GRANTS[String(params.sdk)] ?? { policy: { video: { room } }, claims: { video: { room } } };
}

/** The grants the policy gives for these params. */
export const policyGrantsFor = (params: Record<string, unknown>) => grantsOf(params).policy;
/** The `grants` claim a token issued for these params carries, besides `identity`. */
export const claimedGrantsFor = (params: Record<string, unknown>) => grantsOf(params).claims;

export interface RouteLogEntry {
  user: string | undefined;
  params: unknown;
  status: number;
  /** When the request came (ms). */
  at: number;
}

export interface TestServer {
  baseUrl: string;
  /** Every request the token route got, in order, with the status it answered. */
  requests: RouteLogEntry[];
  /** Flip to make the policy refuse (403) every request until flipped back. */
  deny: boolean;
  /** Users the policy refuses (403), for tests that run several users at once. */
  denied: Set<string>;
  /** The ttl the policy gives, in seconds (unset: the route's TOKEN_TTL). */
  ttl: number | undefined;
  /** When set, the route answers each request once this resolves: a test makes concurrent callers overlap by what happened, not by a delay. */
  answerWhen: (() => Promise<void>) | undefined;
  close(): Promise<void>;
}

const PAGE_SCRIPTS = ['voice', 'conversations', 'sync', 'video', 'tab'] as const;
export type PageScript = (typeof PAGE_SCRIPTS)[number];

/** Bundles each page script with its SDK and @grantor/client (from src/, by the `source` condition). */
async function bundlePages(): Promise<Map<string, string>> {
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(PAGE_SCRIPTS.map((name) => [name, join(import.meta.dirname, 'page', `${name}.ts`)])),
    bundle: true,
    write: false,
    outdir: '/bundles',
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    conditions: ['source'],
    // The SDKs' browser builds read `global` (twilsock's WebSocketChannel, loglevel) and process.env.NODE_ENV.
    define: { global: 'globalThis', 'process.env.NODE_ENV': '"production"' },
    absWorkingDir: join(import.meta.dirname, '..'),
    logLevel: 'silent',
  });
  return new Map(result.outputFiles.map((file) => [file.path.replace(/^.*\//, ''), file.text]));
}

/** The test user's identity comes from this cookie, standing in for an app's session. */
export const USER_COOKIE = 'test-user';

export async function startServer(): Promise<TestServer> {
  const bundles = await bundlePages();
  const state: TestServer = { baseUrl: '', requests: [], deny: false, denied: new Set(), ttl: undefined, answerWhen: undefined, close: async () => {} };
  const app = express();
  app.get('/', (req, res) => {
    const script = PAGE_SCRIPTS.find((name) => name === req.query.page);
    if (!script) return void res.status(404).end();
    res.type('html').send(`<!doctype html><meta charset="utf-8"><title>${script}</title><script src="/bundles/${script}.js"></script>`);
  });
  app.get('/bundles/:file', (req, res) => {
    const text = bundles.get(req.params.file);
    if (text === undefined) return void res.status(404).end();
    res.type('js').send(text);
  });
  // The fake login: the cookie's value is the user, as a session middleware would put it on req.user.
  app.use((req, _res, next) => {
    const match = /(?:^|;\s*)test-user=([^;]+)/.exec(req.headers.cookie ?? '');
    if (match?.[1]) (req as { user?: unknown }).user = { id: decodeURIComponent(match[1]) };
    next();
  });
  app.use('/api/token', async (req, res, next) => {
    const entry: RouteLogEntry = { user: (req as { user?: { id: string } }).user?.id, params: undefined, status: 0, at: Date.now() };
    state.requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    await state.answerWhen?.();
    next();
  });
  app.use(
    '/api/token',
    createTokenRoute<{ id: string }>({
      credentials,
      ttl: TOKEN_TTL,
      // Which SDK's page asks, so the policy grants what that SDK needs.
      validators: [body('sdk').optional().isIn(['voice', 'conversations', 'sync', 'video'])],
      policy: ({ user, params }): PolicyDecision => {
        // The log entry of this request: the last one of this user (requests of several users overlap).
        const entry = state.requests.findLast((logged) => logged.user === user.id);
        if (entry) entry.params = params;
        if (state.deny || state.denied.has(user.id)) return { deny: 'The test switched the policy to deny.' };
        return { grants: policyGrantsFor(params), ttl: state.ttl };
      },
    }),
  );
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    server.closeAllConnections();
    server.close();
  };
  return state;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/** 10 ms of 8 kHz 8-bit mono silence: something decodeAudioData accepts. */
const SILENT_WAV = (() => {
  const samples = 80;
  const wav = Buffer.alloc(44 + samples, 0x80);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(8000, 28);
  wav.writeUInt16LE(1, 32);
  wav.writeUInt16LE(8, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples, 40);
  return wav;
})();

export interface ExternalRequest {
  method: string;
  url: string;
}

/**
 * A browser context logged in as `user`, where every HTTP request to anywhere but the test server
 * is recorded and answered 204 (the SDKs' telemetry: Voice's Insights publisher at eventgw.twilio.com,
 * Video's, …): nothing reaches the internet. WebSockets are routed per test by the fakes; any other
 * WebSocket is refused by `refuseOtherWebSockets`.
 */
export async function newContext(browser: Browser, server: TestServer, user: string): Promise<{ context: BrowserContext; external: ExternalRequest[] }> {
  const context = await browser.newContext();
  await context.addCookies([{ name: USER_COOKIE, value: user, url: server.baseUrl }]);
  const external: ExternalRequest[] = [];
  await context.route(
    (url) => url.origin !== server.baseUrl,
    (route) => {
      const { pathname } = new URL(route.request().url());
      external.push({ method: route.request().method(), url: route.request().url() });
      // The Voice Device preloads its ringtones (sdk.twilio.com/js/client/sounds/…/*.mp3) and decodes them.
      if (pathname.endsWith('.mp3')) return route.fulfill({ status: 200, contentType: 'audio/wav', body: SILENT_WAV });
      return route.fulfill({ status: 204, headers: { 'access-control-allow-origin': '*' } });
    },
  );
  return { context, external };
}

/** Refuses (closes) every WebSocket the fakes registered after this do not take: call it first. */
export async function refuseOtherWebSockets(page: Page, opened: string[]): Promise<void> {
  await page.routeWebSocket(/.*/, (ws) => {
    opened.push(ws.url());
    void ws.close({ code: 1008, reason: 'not faked by the test' });
  });
}

export interface PageHandle {
  page: Page;
  pageErrors: Error[];
  console: string[];
}

export async function openPage(context: BrowserContext, server: TestServer, script: PageScript, setup?: (page: Page) => Promise<void>): Promise<PageHandle> {
  const page = await context.newPage();
  const pageErrors: Error[] = [];
  const consoleLines: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  await setup?.(page);
  await page.goto(`${server.baseUrl}/?page=${script}`);
  await page.waitForFunction(() => (window as { harnessReady?: boolean }).harnessReady === true);
  return { page, pageErrors, console: consoleLines };
}

/** Verifies a token as Twilio would (signature with the route's key secret, account, key, expiry), now or at `at` (ms). */
export function verify(token: string, at?: number): DecodedAccessToken {
  return verifyAccessToken(token, at === undefined ? credentials : { ...credentials, clock: () => at });
}

/** Resolves once the wall clock is past `second` (a token's iat), so the next token's iat and exp are later. */
export async function afterSecond(second: number): Promise<void> {
  const wait = (second + 1) * 1000 - Date.now() + 50;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition()` holds, polling; throws with `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(25);
  }
}

export interface BrowserHarness {
  server: TestServer;
  browser: Browser;
  /** A fresh context logged in as `user` (see `newContext`), closed after the test. */
  newContext(user: string): Promise<{ context: BrowserContext; external: ExternalRequest[] }>;
}

/**
 * Registers the suite's hooks: the server and Chromium for the whole file (Chromium missing fails
 * here, in CI), each test's context closed after it and the route's log and switches reset. A
 * suite of concurrent tests (`concurrent`) keeps them all until the file is done instead: its tests
 * tell their requests apart by user.
 */
export function useBrowserHarness({ concurrent = false } = {}): BrowserHarness {
  const contexts: BrowserContext[] = [];
  const harness = {
    newContext: async (user: string) => {
      const created = await newContext(harness.browser, harness.server, user);
      contexts.push(created.context);
      return created;
    },
  } as BrowserHarness;
  beforeAll(async () => {
    requireChromium();
    [harness.server, harness.browser] = await Promise.all([startServer(), launchChromium()]);
  });
  afterAll(async () => {
    await harness.browser?.close();
    await harness.server?.close();
  });
  if (!concurrent) {
    afterEach(async () => {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
      harness.server.requests.length = 0;
      harness.server.deny = false;
      harness.server.denied.clear();
      harness.server.ttl = undefined;
      harness.server.answerWhen = undefined;
    });
  }
  return harness;
}
