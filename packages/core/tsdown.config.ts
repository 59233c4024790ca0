import { defineConfig } from 'tsdown';
import base from '../../tsdown.base.ts';

export default defineConfig({
  ...base,
  // Inlined: resolving noble's ESM files costs Node about 10 ms at start-up, where it is not even used.
  deps: { alwaysBundle: [/^@noble\/hashes/] },
});
