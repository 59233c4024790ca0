import type { Miniflare } from 'miniflare';

export declare const EXAMPLE: string;
/** wrangler.toml as text, its top-level settings and its [vars]. */
export declare const toml: string;
export declare const config: Record<string, string>;
export declare const vars: Record<string, string>;
export declare function startWorker(options?: { port?: number; conditions?: string[] }): Promise<Miniflare>;
