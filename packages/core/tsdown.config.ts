import { defineConfig } from 'tsdown';
import base from '../../tsdown.base.ts';

export default defineConfig({
  ...base,
  // Inlined: resolving noble's ESM files costs Node about 10 ms at start-up, where it is not even used.
  // rate-limiter-flexible: only its in-memory limiter (7 KB), as a chunk loaded on first use; the
  // package itself (0.46 MB installed) is no dependency. An app that shares a limit brings its own.
  deps: { alwaysBundle: [/^@noble\/hashes/, /^rate-limiter-flexible\/lib\//] },
});
