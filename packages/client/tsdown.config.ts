import { defineConfig } from 'tsdown';

// Browsers, React Native and Node 20: no Node built-ins, ES2020 syntax.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'neutral',
  target: 'es2020',
  minify: false,
  // .mjs and .cjs as package.json's exports name them (the neutral platform would emit .js).
  fixedExtension: true,
});
