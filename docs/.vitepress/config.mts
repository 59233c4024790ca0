import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitepress';

/** Written by scripts/pages.mjs: the pages cut from the README, in its order. */
const pages: { link: string; text: string; recipe: boolean }[] = JSON.parse(readFileSync(new URL('./pages.json', import.meta.url), 'utf8'));
/** Written by TypeDoc (typedoc-vitepress-theme): the API reference's sidebar. */
const reference: { text: string; link?: string; items?: unknown[] }[] = JSON.parse(
  readFileSync(new URL('../reference/typedoc-sidebar.json', import.meta.url), 'utf8'),
);

export default defineConfig({
  title: 'grantor',
  description: 'Short-lived Twilio Access Tokens for your logged-in users: correctly, safely and fast.',
  srcExclude: ['extra/**', 'scripts/**', 'test/**'],
  cleanUrls: true,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  lastUpdated: false,
  themeConfig: {
    search: { provider: 'local' },
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Recipes', link: '/recipes/express' },
      { text: 'API reference', link: '/reference/' },
    ],
    sidebar: [
      { text: 'Guide', items: pages.filter((page) => !page.recipe).map(({ text, link }) => ({ text, link })) },
      { text: 'Recipes', items: pages.filter((page) => page.recipe).map(({ text, link }) => ({ text, link })) },
      { text: 'API reference', link: '/reference/', collapsed: true, items: reference },
    ],
  },
});
