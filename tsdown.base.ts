import { defineConfig } from 'tsdown';

// Every library package: dual ESM + CJS with types, for Node 20.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'node',
  target: 'node20',
});
