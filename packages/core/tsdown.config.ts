import { defineConfig } from 'tsdown';
import base from '../../tsdown.base.ts';

export default defineConfig({
  ...base,
  // internal: what only grantor's adapters import (src/internal.ts says why it is apart).
  entry: ['src/index.ts', 'src/internal.ts'],
  // Inlined: resolving noble's ESM files costs Node about 10 ms at start-up, where it is not even used.
  // rate-limiter-flexible: only its in-memory limiter (7 KB), as a chunk loaded on first use; the
  // package itself (0.46 MB installed) is no dependency. An app that shares a limit brings its own.
  // jose: the part bearerUser uses, as a chunk loaded on the first bearer token (see BENCHMARKS.md for
  // why bundled rather than a dependency): core keeps no dependencies and its cold import.
  deps: { alwaysBundle: [/^@noble\/hashes/, /^rate-limiter-flexible\/lib\//, /^jose$/] },
});
