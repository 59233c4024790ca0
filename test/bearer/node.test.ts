// The bearer user source on Node: core's fetch handler with getUser: bearerUser(...), against oidc-provider.
import { bearerUser, createFetchHandler, voiceIdentity } from '@grantor/core';
import { afterAll, beforeAll, describe } from 'vitest';
import { type AskRoute, type BearerSettings, bearerCases, CREDENTIALS } from './cases.js';
import { startProvider, type TestProvider } from './provider.js';

const routes = new Map<string, (request: Request) => Promise<Response>>();

/** One route per settings, made once, as an app makes it at start-up. */
function routeFor(settings: BearerSettings) {
  const key = JSON.stringify(settings);
  let route = routes.get(key);
  if (!route) {
    route = createFetchHandler({
      credentials: CREDENTIALS,
      getUser: bearerUser(settings),
      identity: (user) => voiceIdentity(user.id),
      policy: () => ({ grants: { voice: { incomingAllow: true } } }),
      onError: () => {},
    });
    routes.set(key, route);
  }
  return route;
}

const ask: AskRoute = async (authorization, settings) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  const response = await routeFor(settings)(new Request('http://127.0.0.1/api/token', { method: 'POST', headers, body: '{}' }));
  return { status: response.status, headers: response.headers, body: await response.json() };
};

describe('bearerUser on Node against oidc-provider', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(() => provider?.close());
  bearerCases({ provider: () => provider, ask });
});
