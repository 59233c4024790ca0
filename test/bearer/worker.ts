// A Worker whose token route takes the user from bearerUser: the same route as node.test.ts builds,
// run in workerd (no nodejs_compat), Bun, Deno and the Edge VM. The test sends the bearerUser settings
// of a case in a header; one route per settings, made once per isolate as an app makes it. The
// credentials come in the env as the other test workers get their options (GRANTOR_OPTIONS).
import { bearerUser, createFetchHandler, type TokenRouteCredentials, voiceIdentity } from '@grantor/core';

const routes = new Map<string, (request: Request) => Promise<Response>>();

export default {
  fetch(request: Request, env: { GRANTOR_OPTIONS: { credentials: TokenRouteCredentials } }): Promise<Response> {
    const settings = request.headers.get('x-bearer-settings')!;
    let route = routes.get(settings);
    if (!route) {
      route = createFetchHandler({
        credentials: env.GRANTOR_OPTIONS.credentials,
        getUser: bearerUser(JSON.parse(settings)),
        identity: (user) => voiceIdentity(user.id),
        policy: () => ({ grants: { voice: { incomingAllow: true } } }),
        onError: () => {},
      });
      routes.set(settings, route);
    }
    return route(request);
  },
};
