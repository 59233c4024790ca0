// The bearer user source on Bun (Bun.serve), Deno (Deno.serve) and in an Edge VM (Vercel Edge),
// against oidc-provider on loopback: the same worker as workerd.test.ts (test/bearer/worker.ts), with
// core's BUILT dist as those runtimes' apps get it (support/runtimes-http). A missing bun or deno
// binary fails in CI and is skipped locally, with the reason (test/runtimes/README.md).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { unavailableReason } from '../runtimes/drivers.js';
import { type RuntimeServer, serveOnRuntime } from '../support/runtimes-http/serve.js';
import { askOverHttp, bearerCases, CREDENTIALS } from './cases.js';
import { startProvider, type TestProvider } from './provider.js';

const RUNTIMES = [
  ['bearer-bun', 'bun'],
  ['bearer-deno', 'deno'],
  ['bearer-edge-vm', 'edge-vm'],
] as const;

for (const [name, runtime] of RUNTIMES) {
  const missing = unavailableReason(runtime);
  if (missing && !process.env.CI) {
    it.skip(`bearerUser on ${runtime}: ${missing}`, () => {});
    continue;
  }
  describe(`bearerUser on ${runtime} against oidc-provider`, () => {
    let provider: TestProvider;
    let server: RuntimeServer;
    beforeAll(async () => {
      provider = await startProvider();
      server = await serveOnRuntime(name, { credentials: CREDENTIALS }, () => undefined);
    }, 120_000);
    afterAll(async () => {
      await server?.close();
      await provider?.close();
    });
    bearerCases({ provider: () => provider, ask: askOverHttp(() => `${server.url}/api/token`) });
  });
}
