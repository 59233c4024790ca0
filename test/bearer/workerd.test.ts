// The bearer user source in workerd (Miniflare, no nodejs_compat) against oidc-provider on loopback:
// discovery and JWKS fetched by the Workers runtime's fetch, verified with its WebCrypto.
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe } from 'vitest';
import { bundleWorker, COMPATIBILITY_DATE } from '../support/workerd/miniflare.js';
import { askOverHttp, bearerCases, CREDENTIALS } from './cases.js';
import { startProvider, type TestProvider } from './provider.js';

describe('bearerUser in workerd against oidc-provider', () => {
  let provider: TestProvider;
  let mf: Miniflare;
  let url: string;
  beforeAll(async () => {
    provider = await startProvider();
    mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'bearer-worker.mjs', contents: await bundleWorker(fileURLToPath(new URL('worker.ts', import.meta.url))) }],
      compatibilityDate: COMPATIBILITY_DATE,
      host: '127.0.0.1',
      port: 0,
      bindings: { GRANTOR_OPTIONS: { credentials: CREDENTIALS } },
    });
    url = `${(await mf.ready).origin}/api/token`;
  });
  afterAll(async () => {
    await mf?.dispose();
    await provider?.close();
  });
  bearerCases({ provider: () => provider, ask: askOverHttp(() => url) });
});
