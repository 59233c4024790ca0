// The docs site as a reader gets it: `pnpm docs:build`, the static files served on loopback, every
// page opened in Chromium at a phone's width (375 px). Each page must render without a console error,
// fit the width without horizontal scrolling, and link only to pages and anchors that exist; the local
// search must find a framework by name. Screenshots of the home page and a recipe page are written to
// test-results/docs/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, requireChromium } from '../client-browser/harness.js';
import { ROOT } from './snippets.js';

const DIST = join(ROOT, 'docs/.vitepress/dist');
const SCREENSHOTS = join(ROOT, 'test-results/docs');
const PHONE = { width: 375, height: 812 };
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/** The built site as a static host serves it with clean URLs: /guide/cli → guide/cli.html. */
function serveSite(): Promise<Server> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname)).replace(/^(\.\.[/\\])+/, '');
    const candidates = path.endsWith('/') ? [`${path}index.html`] : [path, `${path}.html`, `${path}/index.html`];
    const file = candidates.map((candidate) => join(DIST, candidate)).find((candidate) => existsSync(candidate) && extname(candidate) !== '');
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/html' }).end(readFileSync(join(DIST, '404.html')));
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface Visit {
  status: number;
  consoleErrors: string[];
  ids: Set<string>;
  links: string[];
  overflow: number;
}

let server: Server;
let browser: Browser;
let origin: string;
const visits = new Map<string, Visit>();

async function visit(page: Page, path: string): Promise<Visit> {
  const consoleErrors: string[] = [];
  const onConsole = (message: { type(): string; text(): string }) => void (message.type() === 'error' && consoleErrors.push(message.text()));
  const onPageError = (error: Error) => void consoleErrors.push(error.message);
  const onResponse = (response: { status(): number; url(): string }) =>
    void (response.status() >= 400 && consoleErrors.push(`${response.status()} ${response.url()}`));
  page.on('console', onConsole);
  page.on('pageerror', onPageError);
  page.on('response', onResponse);
  try {
    const response = await page.goto(`${origin}${path}`, { waitUntil: 'networkidle' });
    const found = await page.evaluate(() => ({
      ids: [...document.querySelectorAll('[id]')].map((element) => element.id),
      links: [...document.querySelectorAll('a[href]')].map((anchor) => (anchor as HTMLAnchorElement).href),
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    }));
    return { status: response?.status() ?? 0, consoleErrors, ids: new Set(found.ids), links: found.links, overflow: found.overflow };
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onPageError);
    page.off('response', onResponse);
  }
}

/** Every page reachable from the home page by the site's own links. */
async function crawl(): Promise<void> {
  const page = await browser.newPage({ viewport: PHONE });
  const queue = ['/'];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (visits.has(path)) continue;
    const result = await visit(page, path);
    visits.set(path, result);
    for (const link of result.links) {
      const url = new URL(link);
      if (url.origin === origin && !visits.has(url.pathname) && !queue.includes(url.pathname)) queue.push(url.pathname);
    }
  }
  await page.close();
}

describe('the docs site in Chromium', () => {
  beforeAll(async () => {
    requireChromium();
    execFileSync('pnpm', ['docs:build'], { cwd: ROOT, stdio: 'ignore' });
    [server, browser] = await Promise.all([serveSite(), launchChromium()]);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await crawl();
  }, 900_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  test('the crawl reached the guide, every recipe and the API reference', () => {
    const paths = [...visits.keys()];
    expect(paths).toEqual(expect.arrayContaining(['/', '/guide/getting-started', '/guide/errors', '/recipes/express', '/recipes/fastify', '/reference/']));
    expect(paths.filter((path) => path.startsWith('/reference/')).length).toBeGreaterThan(10);
  });

  test('every page answers 200, loads no missing file and renders without a console error', () => {
    const failures = [...visits].filter(([, result]) => result.status !== 200 || result.consoleErrors.length > 0);
    expect(failures.map(([path, result]) => ({ path, status: result.status, errors: result.consoleErrors }))).toEqual([]);
  });

  test('every internal link goes to a page and an anchor that exist', () => {
    const broken: string[] = [];
    for (const [path, result] of visits) {
      for (const link of result.links) {
        const url = new URL(link);
        if (url.origin !== origin) continue;
        const target = visits.get(url.pathname);
        const anchor = decodeURIComponent(url.hash.slice(1));
        if (!target || target.status !== 200) broken.push(`${path} → ${url.pathname}`);
        else if (anchor && !target.ids.has(anchor)) broken.push(`${path} → ${url.pathname}#${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('no page scrolls sideways at 375 px', () => {
    const wide = [...visits].filter(([, result]) => result.overflow > 0).map(([path, result]) => `${path}: ${result.overflow}px too wide`);
    expect(wide).toEqual([]);
  });

  test('the local search finds a framework by name', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${origin}/`, { waitUntil: 'networkidle' });
      await page.locator('#local-search button').click();
      await page.locator('.VPLocalSearchBox input').fill('Fastify');
      const first = page.locator('.VPLocalSearchBox .result').first();
      await first.waitFor();
      const hrefs = await page.locator('.VPLocalSearchBox .result').evaluateAll((results) => results.map((result) => result.getAttribute('href') ?? ''));
      expect(hrefs.some((href) => href.startsWith('/recipes/fastify'))).toBe(true);
    } finally {
      await page.close();
    }
  });

  test('screenshots of the home page and a recipe page', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      for (const [name, path] of [
        ['home', '/'],
        ['recipe-fastify', '/recipes/fastify'],
      ] as const) {
        await page.goto(`${origin}${path}`, { waitUntil: 'networkidle' });
        const file = join(SCREENSHOTS, `${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
      }
    } finally {
      await page.close();
    }
  });
});
