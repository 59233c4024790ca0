import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitepress';

/** The guide's pages (docs/guide), in reading order. */
const guide = [
  { text: 'Getting started', link: '/guide/getting-started' },
  { text: 'The token route and its HTTP contract', link: '/guide/token-route' },
  { text: 'Security model', link: '/guide/security' },
  { text: 'Errors', link: '/guide/errors' },
  { text: 'The browser client', link: '/guide/browser-client' },
  { text: 'Runtimes', link: '/guide/runtimes' },
  { text: 'Scaling', link: '/guide/scaling' },
  { text: 'Signing and verifying', link: '/guide/core' },
  { text: 'Key rotation and revocation', link: '/guide/key-rotation' },
  { text: 'Migrating from twilio-node', link: '/guide/migrating' },
  { text: 'The CLI', link: '/guide/cli' },
];
/** One page per framework, runtime and identity set-up (docs/recipes). */
const recipes = [
  { text: 'Express', link: '/recipes/express' },
  { text: 'Express + better-auth', link: '/recipes/express-better-auth' },
  { text: 'Express + Auth.js', link: '/recipes/express-auth-js' },
  { text: 'Next.js (App Router) with next-auth', link: '/recipes/next-js-app-router-with-next-auth' },
  { text: 'Koa', link: '/recipes/koa' },
  { text: 'Fastify', link: '/recipes/fastify' },
  { text: 'NestJS', link: '/recipes/nestjs' },
  { text: 'Cloudflare Workers + Hono', link: '/recipes/cloudflare-workers-hono' },
  { text: 'SvelteKit', link: '/recipes/sveltekit' },
  { text: 'React Router 7 (framework mode)', link: '/recipes/react-router-7-framework-mode' },
  { text: 'Nuxt', link: '/recipes/nuxt' },
  { text: 'Astro', link: '/recipes/astro' },
  { text: 'Bearer tokens: native apps and serverless', link: '/recipes/bearer-tokens' },
  { text: 'Native clients', link: '/recipes/native-clients' },
  { text: 'Serverless functions', link: '/recipes/serverless-functions' },
];
/** Written by TypeDoc (typedoc-vitepress-theme): the API reference's sidebar. */
const reference: { text: string; link?: string; items?: unknown[] }[] = JSON.parse(
  readFileSync(new URL('../reference/typedoc-sidebar.json', import.meta.url), 'utf8'),
);

export default defineConfig({
  title: 'grantor',
  description: 'Short-lived Twilio Access Tokens for your logged-in users: correctly, safely and fast.',
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
      { text: 'Guide', items: guide },
      { text: 'Recipes', items: recipes },
      { text: 'API reference', link: '/reference/', collapsed: true, items: reference },
    ],
  },
});
