/** The site's pages cut from the root README (pages.mjs). */
export interface Page {
  page: string;
  title: string;
  recipe?: boolean;
  markdown: string;
}
export function buildPages(markdown?: string): { pages: Page[] };
export function githubSlug(text: string): string;
export function vitepressSlug(text: string): string;
