/** The size budget (scripts/size.mjs says why it is what it is), checked on every test run: src bundled and minified, then gzipped. */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { esbuild, minifiedSizesOf, SIZE_BUDGET } from '../scripts/size.mjs';

it(`is at most ${SIZE_BUDGET} bytes minified and gzipped`, async () => {
  const { outputFiles } = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
  });
  const { gz } = minifiedSizesOf(outputFiles[0]!.text);
  expect(gz).toBeGreaterThan(0);
  expect(gz).toBeLessThanOrEqual(SIZE_BUDGET);
});
