// A Worker (workerd, no nodejs_compat) whose token route takes the user from bearerUser: the same
// route as node.test.ts builds, in the Workers runtime. The test sends the bearerUser settings of a
// case in a header; one route per settings, made once per isolate as an app makes it.
import { bearerUser, createFetchHandler, type TokenRouteCredentials, voiceIdentity } from '@grantor/core';

const routes = new Map<string, (request: Request) => Promise<Response>>();

export default {
  fetch(request: Request, env: { CREDENTIALS: TokenRouteCredentials }): Promise<Response> {
    const settings = request.headers.get('x-bearer-settings')!;
    let route = routes.get(settings);
    if (!route) {
      route = createFetchHandler({
        credentials: env.CREDENTIALS,
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
