// The docs site's code blocks type-check against the packages (snippets.ts says how), and a rename in
// the code fails them: shown by renaming a documented option and an export in core's source, in memory.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkSnippets, docsPages, ROOT, type Snippet, snippetsOf } from './snippets.js';

const snippets = docsPages().flatMap(({ page, markdown }) => snippetsOf(page, markdown));
/** Type-checking every block against the packages' source takes a while on a busy machine. */
const TYPE_CHECK_TIMEOUT = 300_000;
const blocksOf = (errors: { where: string }[]) => [...new Set(errors.map((error) => error.where.replace(/, line \d+$/, '')))];
const using = (pattern: RegExp): Snippet[] => snippets.filter((snippet) => pattern.test(snippet.code));

describe('the code blocks of the docs site', () => {
  test('there are blocks of both languages on the recipe pages', () => {
    expect(snippets.filter((snippet) => snippet.where.startsWith('docs/recipes/')).length).toBeGreaterThan(10);
    expect(new Set(snippets.map((snippet) => snippet.language))).toEqual(new Set(['ts', 'js']));
  });

  test('every block type-checks against the packages', { timeout: TYPE_CHECK_TIMEOUT }, () => {
    expect(checkSnippets(snippets)).toEqual([]);
  });

  // Where a block's user comes from a module not installed here (SvelteKit's ./$types), its type is
  // `any` and TypeScript checks no option names in that call: the blocks with known types must fail.
  test('renaming a documented option in the code fails the blocks that pass it', { timeout: TYPE_CHECK_TIMEOUT }, () => {
    const errors = checkSnippets(using(/\ballowedOrigins:/), {
      file: join(ROOT, 'packages/core/src/handler/types.ts'),
      from: 'allowedOrigins?:',
      to: 'trustedOrigins?:',
    });
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error.message).toMatch(/TS2353: .*'allowedOrigins' does not exist/);
  });

  // tsc --init's NodeNext, in a package of "type": "module": ioredis is CommonJS whose types declare a
  // default export, so its default import is the module object there, which a bundler's view accepts.
  test('a default import only a bundler allows fails a Node page', { timeout: TYPE_CHECK_TIMEOUT }, () => {
    const scaling = using(/import \{ Redis \} from 'ioredis'/);
    expect(scaling.map((snippet) => snippet.where)).toEqual(['docs/guide/scaling.md #1']);
    const errors = checkSnippets(scaling.map((snippet) => ({ ...snippet, code: snippet.code.replace('import { Redis }', 'import Redis') })));
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/^TS2351: This expression is not constructable\.[\s\S]*\(in a Node app in ES modules\)$/),
    ]);
  });

  test('renaming an export fails every block that imports it', { timeout: TYPE_CHECK_TIMEOUT }, () => {
    const importers = using(/import \{[^}]*\bcreateFetchHandler\b[^}]*\} from '@grantor\/core'/);
    expect(importers.length).toBeGreaterThan(2);
    const errors = checkSnippets(importers, {
      file: join(ROOT, 'packages/core/src/index.ts'),
      from: 'export { createFetchHandler }',
      to: 'export { createFetchHandler as createWebHandler }',
    });
    expect(blocksOf(errors).sort()).toEqual(importers.map((snippet) => snippet.where).sort());
    for (const error of errors) expect(error.message).toMatch(/has no exported member .*'createFetchHandler'/);
  });
});
