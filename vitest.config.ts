import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The fast loop (`pnpm test`, the `unit` project): suites that run from the TypeScript source in-process,
 * with no build, browser, bun/deno/workerd runtime, Redis, package install or tarball. Everything else is
 * the `slow` project, which `pnpm test:all` adds; a new suite under test/ lands there unless moved here.
 */
const UNIT_SUITES = [
  'test/crypto-runtime.test.ts',
  'test/bearer/node.test.ts',
  'test/bearer/options.test.ts',
  'test/bearer/jws.test.ts',
  'test/bearer/voice-identity.test.ts',
];
/** The CLI's tests build core and the CLI, then run the built bin. */
const CLI_SUITES = 'packages/cli/test/**/*.test.ts';

export default defineConfig({
  ssr: { resolve: { conditions: ['source'] } },
  resolve: { conditions: ['source'] },
  test: {
    testTimeout: 20_000,
    // One more run for a failed test, so a single timing accident on a busy CI machine does not block a
    // landing; scripts/test-all.sh names every test that needed it (FLAKY), so flakiness is seen and fixed.
    retry: 1,
    hookTimeout: 180_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['packages/*/test/**/*.test.ts', ...UNIT_SUITES], exclude: [...configDefaults.exclude, CLI_SUITES] } },
      {
        extends: true,
        test: {
          name: 'slow',
          include: [CLI_SUITES, 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...UNIT_SUITES],
          // The run's npm registry (Verdaccio on loopback), started by the first host-app test that needs it.
          globalSetup: ['test/host-apps/support/registry-global-setup.ts'],
        },
      },
    ],
  },
});
