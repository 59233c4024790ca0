// The README is the overview and links to every page of the docs site; the sidebar lists every page.
// A page added to docs/guide or docs/recipes without its README link or sidebar entry fails here, and
// so does a link from the README (or a package README) to a page that was renamed or removed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from './snippets.js';

const PAGES = ['guide', 'recipes'].flatMap((folder) =>
  readdirSync(join(ROOT, 'docs', folder))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `${folder}/${file.slice(0, -'.md'.length)}`),
);
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SIDEBAR = readFileSync(join(ROOT, 'docs/.vitepress/config.mts'), 'utf8');

/** The targets of a Markdown file's relative links into docs/, as paths from the repository's root. */
function docsLinks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/\]\(([^)\s#]*docs\/[^)\s#]+)(?:#[^)\s]*)?\)/g)].map((link) => relative(ROOT, join(ROOT, dirname(file), link[1]!)));
}

describe('the docs pages', () => {
  test('there are guide and recipe pages', () => {
    expect(PAGES.filter((page) => page.startsWith('guide/')).length).toBeGreaterThan(5);
    expect(PAGES.filter((page) => page.startsWith('recipes/')).length).toBeGreaterThan(10);
  });

  test.each(PAGES)('%s is linked from the README and listed in the sidebar', (page) => {
    expect(README).toContain(`](docs/${page}.md)`);
    expect(SIDEBAR).toContain(`link: '/${page}'`);
  });

  test('every link from the README and the package READMEs into docs/ names a page that exists', () => {
    const readmes = ['README.md', ...readdirSync(join(ROOT, 'packages')).map((name) => `packages/${name}/README.md`)].filter((file) =>
      existsSync(join(ROOT, file)),
    );
    const links = readmes.flatMap((file) => docsLinks(file).map((target) => ({ file, target })));
    expect(links.length).toBeGreaterThan(PAGES.length);
    const missing = links.filter(({ target }) => !existsSync(join(ROOT, target)));
    expect(missing).toEqual([]);
  });
});
