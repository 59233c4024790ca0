// A plain Workers module around @grantor/core's createFetchHandler, routed to /api/token only. The user
// reaches getUser through the route's second argument, as a framework's context (SvelteKit's event,
// React Router's context) does.
import { createFetchHandler, type FetchTokenRoute } from '@grantor/core';
import type { WorkerEnv } from './bridge.js';
import { describeRequest, workerGrantor } from './worker-options.js';

/** What the worker knows about the request before the route runs: the session it read. */
interface Session {
  userName: string | undefined;
}

let route: FetchTokenRoute<Session> | undefined;
let grantor: ReturnType<typeof workerGrantor<Request>> | undefined;

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    grantor ??= workerGrantor(env, (request: Request) => describeRequest('Request', request instanceof Request ? request : undefined));
    const { lookUp, settle } = grantor;
    route ??= createFetchHandler({ ...grantor.options, getUser: (request, session: Session) => lookUp(request, session.userName) });
    if (new URL(request.url).pathname !== '/api/token') return new Response('Not Found', { status: 404 });
    const session: Session = { userName: request.headers.get('x-test-user') ?? undefined };
    return settle(request, () => route!(request, session));
  },
};
