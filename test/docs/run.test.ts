// The docs' runnable blocks run (run.ts says how), beside the type-check of every block
// (snippets.test.ts), and a broken one fails: shown by breaking one block of each kind, in memory.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildCli, cleanUpRuns, runCommands, runModule } from './run.js';
import { commandBlocksOf, docsPages, type Snippet, snippetsOf } from './snippets.js';

const pages = docsPages();
const modules = pages.flatMap(({ page, markdown }) => snippetsOf(page, markdown)).filter((snippet) => snippet.run);
const commands = pages.flatMap(({ page, markdown }) => commandBlocksOf(page, markdown));

/** The block that has `text`, with `from` replaced by `to`, as a broken edit of the page would leave it. */
function broken<T extends { code: string }>(blocks: T[], text: string, from: string, to: string): T {
  const block = blocks.find((candidate) => candidate.code.includes(text) && candidate.code.includes(from));
  expect(block, `a runnable block has ${text} and ${from}`).toBeDefined();
  return { ...block!, code: block!.code.replace(from, to) };
}

beforeAll(buildCli, 180_000);
afterAll(cleanUpRuns);

describe('the runnable blocks of the docs', () => {
  test('are marked on the pages: core, the fetch route, an Express server, a Worker and the CLI', () => {
    expect(modules.length).toBeGreaterThanOrEqual(6);
    expect(commands.length).toBeGreaterThanOrEqual(1);
    for (const page of ['docs/guide/core.md', 'docs/guide/token-route.md', 'docs/recipes/bearer-tokens.md', 'docs/recipes/cloudflare-workers-hono.md'])
      expect(modules.some((snippet) => snippet.where.startsWith(page))).toBe(true);
  });

  test.each(modules.map((snippet) => [snippet.where, snippet] as const))('%s runs', async (_where, snippet: Snippet) => {
    const result = await runModule(snippet);
    expect(result.ok, result.output).toBe(true);
  });

  test.each(commands.map((block) => [block.where, block] as const))('%s runs', (_where, block) => {
    const result = runCommands(block.code);
    expect(result.ok, result.output).toBe(true);
  });
});

describe('a broken runnable block fails its run', () => {
  test('a route whose user is missing answers 401, and the block reading its token throws', async () => {
    const result = await runModule(broken(modules, 'createFetchHandler', "getUser: () => ({ id: 'alice' })", 'getUser: () => null'));
    expect(result).toMatchObject({ ok: false, output: expect.stringMatching(/AccessTokenError|TypeError/) });
  });

  test('a signer given a lifetime over its maxTtl throws', async () => {
    const result = await runModule(broken(modules, 'createSigner', 'ttl: 600,', 'ttl: 7200,'));
    expect(result).toMatchObject({ ok: false, output: expect.stringMatching(/^AccessTokenError: /) });
  });

  test('a Worker that mounts the route elsewhere answers the token request with its 404', async () => {
    const result = await runModule(broken(modules, "from 'hono'", "app.all('/api/token'", "app.all('/api/tokens'"));
    expect(result).toMatchObject({ ok: false, output: expect.stringMatching(/^POST \/api\/token: 404 /) });
  });

  test('an Express server that mounts the route elsewhere answers the token request with its 404 page', async () => {
    const result = await runModule(broken(modules, "from 'express'", "'/api/token',", "'/api/tokens',"));
    expect(result).toMatchObject({ ok: false, output: expect.stringMatching(/^POST \/api\/token: 404 /) });
  });

  test('a mint over Twilio’s 24 h limit exits 1, and the lines after it never run', () => {
    const result = runCommands(broken(commands, 'grantor mint', '--ttl 600', '--ttl 100000').code);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/^exit 1\n/);
  });
});
