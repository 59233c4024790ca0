import type { Miniflare } from 'miniflare';

export declare const EXAMPLE: string;
/** wrangler.toml as text, its top-level settings and its [vars]. */
export declare const toml: string;
export declare const config: Record<string, string>;
export declare const vars: Record<string, string>;
/** [vars] with the NAME=value lines of `devVarsFile` (default: the example's .dev.vars) over them. */
export declare function localBindings(devVarsFile?: string): Record<string, string>;
export declare function startWorker(options?: { port?: number; conditions?: string[]; bindings?: Record<string, string> }): Promise<Miniflare>;
