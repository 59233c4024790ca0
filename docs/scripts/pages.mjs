// The site's guide and recipe pages, cut from the root README at build time so that each fact has one
// source while the README is still where every contributor writes (the pages are not committed).
// Every `###` under "Quick start" and "Bearer tokens" is a recipe page of its own, so a recipe added to
// the README appears on the site without touching this file; the sections listed in GUIDE are guide
// pages; README links to its own headings become links to the page (and anchor) the heading is on.
// Writes docs/guide/*.md, docs/recipes/*.md and docs/.vitepress/pages.json (the sidebar).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = readFileSync(join(DOCS, '../README.md'), 'utf8');

/** The README sections that are guide pages: heading text (its start) → page, and what is appended. */
const GUIDE = [
  { heading: 'Try it', page: 'guide/getting-started', title: 'Getting started', prepend: 'extra/getting-started.md' },
  { heading: 'In the browser', page: 'guide/browser-client', title: 'The browser client' },
  { heading: 'Runtimes', page: 'guide/runtimes', title: 'Runtimes' },
  { heading: 'The token route', page: 'guide/token-route', title: 'The token route and its HTTP contract' },
  { heading: 'What the route refuses by default', page: 'guide/security', title: 'Security model', prepend: 'extra/security.md' },
  { heading: 'Scaling', page: 'guide/scaling', title: 'Scaling' },
  { heading: '@grantor/core', page: 'guide/core', title: 'Signing and verifying' },
  { heading: 'Errors', page: 'guide/errors', title: 'Errors', append: 'extra/twilio-client-codes.md' },
  { heading: 'Bearer tokens', page: 'recipes/bearer-tokens', title: 'Bearer tokens: native apps and serverless', recipe: true },
  { heading: 'Key rotation', page: 'guide/key-rotation', title: 'Key rotation and revocation' },
  { heading: 'Migrating from twilio-node', page: 'guide/migrating', title: 'Migrating from twilio-node' },
  { heading: 'The CLI', page: 'guide/cli', title: 'The CLI' },
  { heading: 'Development', page: null },
];
/** Sections whose `###` headings are recipe pages. */
const RECIPE_PARENTS = ['Quick start', 'Bearer tokens'];
/** Recipe subsections that stay on the page before them. */
const STAY_WITH_PREVIOUS = ['With CSRF middleware'];

/** GitHub's anchor for a heading (what the README's own links use). */
export const githubSlug = (text) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
/** VitePress's anchor for a heading (@mdit-vue/shared's slugify). */
export const vitepressSlug = (text) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036F]/g, '')
    .replace(/[\u0000-\u001f]/g, '')
    .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^(\d)/, '_$1')
    .toLowerCase();

const slugOfTitle = (text) => vitepressSlug(text.replace(/`/g, ''));

/** The README as sections: the text before the first `##`, then one per `##`/`###` heading (fences skipped). */
function sections(markdown) {
  const result = [{ level: 0, text: '', lines: [] }];
  let fence = null;
  for (const line of markdown.split('\n')) {
    const fenceMatch = /^(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) fence = fence === null ? fenceMatch[1] : line.startsWith(fence) ? null : fence;
    const heading = fence === null && /^(#{2,3}) (.+)$/.exec(line);
    if (heading && !fenceMatch) result.push({ level: heading[1].length, text: heading[2].trim(), lines: [] });
    else result.at(-1).lines.push(line);
  }
  return result;
}

/** Assigns every section to a page; returns the pages in README order. */
function paginate(all) {
  const pages = [];
  const overview = { page: 'overview', title: 'Overview', sections: [all[0]] };
  let current = overview;
  let parent = null;
  for (const section of all.slice(1)) {
    if (section.level === 2) parent = section.text;
    const guide = GUIDE.find((entry) => section.text.startsWith(entry.heading));
    const isRecipe = section.level === 3 && RECIPE_PARENTS.some((name) => parent.startsWith(name));
    if (guide) {
      current = guide.page === null ? null : { ...guide, sections: [] };
    } else if (section.level === 2 && RECIPE_PARENTS.some((name) => section.text.startsWith(name))) {
      current = {
        page: `recipes/${slugOfTitle(section.text.replace(/^Quick start \((.+)\)$/, '$1'))}`,
        title: section.text.replace(/^Quick start \((.+)\)$/, '$1'),
        sections: [],
        recipe: true,
      };
    } else if (isRecipe && !STAY_WITH_PREVIOUS.some((name) => section.text.startsWith(name))) {
      current = { page: `recipes/${slugOfTitle(section.text)}`, title: section.text.replace(/`/g, ''), sections: [], recipe: true };
    }
    if (current === null) continue;
    if (!pages.includes(current) && current !== overview) pages.push(current);
    current.sections.push(section);
  }
  return { overview, pages };
}

function render(page, anchors) {
  const top = page.sections[0].level;
  const body = page.sections
    .map((section, index) => {
      const heading = index === 0 ? `# ${page.title}` : `${'#'.repeat(section.level - top + 1)} ${section.text}`;
      return [heading, ...section.lines].join('\n');
    })
    .join('\n');
  const extra = (file) => (file ? readFileSync(join(DOCS, file), 'utf8').trim() : '');
  const [firstLine, ...rest] = body.split('\n');
  const text = [firstLine, extra(page.prepend), rest.join('\n').trim(), extra(page.append)].filter(Boolean).join('\n\n');
  return `${rewriteLinks(text, page, anchors)}\n`;
}

/** README-relative links: own headings → the page and anchor they are on; repository files → plain text. */
function rewriteLinks(text, page, anchors) {
  const depth = page.page.split('/').length - 1;
  const toRoot = depth === 0 ? './' : '../'.repeat(depth);
  return text.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label, target) => {
    if (/^[a-z]+:/.test(target)) return whole;
    if (target.startsWith('#')) {
      const found = anchors.get(target.slice(1));
      if (!found) throw new Error(`README link ${target} names no heading of the README`);
      return `[${label}](${toRoot}${found.page}${found.anchor ? `#${found.anchor}` : ''})`;
    }
    return label.startsWith('`') ? label : `${label} (\`${target}\` in the repository)`;
  });
}

export function buildPages(markdown = README) {
  const all = sections(markdown);
  const { overview, pages } = paginate(all);
  const anchors = new Map();
  for (const page of pages)
    page.sections.forEach((section, index) =>
      anchors.set(githubSlug(section.text), { page: page.page, anchor: index === 0 ? '' : vitepressSlug(section.text) }),
    );
  return { overview, anchors, pages: pages.map((page) => ({ ...page, markdown: render(page, anchors) })) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { overview, anchors, pages } = buildPages();
  const intro = overview.sections[0].lines
    .filter((line) => !line.startsWith('# '))
    .join('\n')
    .trim();
  const home = `---\nlayout: home\nhero:\n  name: grantor\n  tagline: Short-lived Twilio Access Tokens for your logged-in users\n  actions:\n    - { theme: brand, text: Getting started, link: /guide/getting-started }\n    - { theme: alt, text: Recipes, link: /recipes/express }\n    - { theme: alt, text: API reference, link: /reference/ }\n---\n\n`;
  writeFileSync(join(DOCS, 'index.md'), `${home}${rewriteLinks(intro, { page: 'index' }, anchors)}\n`);
  for (const folder of ['guide', 'recipes']) rmSync(join(DOCS, folder), { recursive: true, force: true });
  for (const page of pages) {
    const file = join(DOCS, `${page.page}.md`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, page.markdown);
  }
  const sidebar = pages.map(({ page, title, recipe }) => ({ link: `/${page}`, text: title, recipe: Boolean(recipe) }));
  writeFileSync(join(DOCS, '.vitepress/pages.json'), `${JSON.stringify(sidebar, null, 2)}\n`);
  console.log(`${pages.length} pages from the README`);
}
