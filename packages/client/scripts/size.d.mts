// Types of size.mjs for the size test.
export declare const SIZE_BUDGET: number;
/** The parts of esbuild the size test uses (esbuild is the test package's, not this package's). */
export declare const esbuild: {
  build(options: Record<string, unknown> & { write: false }): Promise<{ outputFiles: { text: string }[] }>;
};
/** Bytes of `code` minified by esbuild, and minified then gzipped at level 9. */
export declare function minifiedSizesOf(code: string): { min: number; gz: number };
