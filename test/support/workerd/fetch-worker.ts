// A plain Workers module around @grantor/core's createFetchHandler, routed to /api/token only.
import { createFetchHandler } from '@grantor/core';
import type { WorkerEnv } from './bridge.js';
import { describeRequest, workerGrantor } from './worker-options.js';

let route: ((request: Request) => Promise<Response>) | undefined;
let grantor: ReturnType<typeof workerGrantor<Request>> | undefined;

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    grantor ??= workerGrantor(env, (request: Request) => describeRequest('Request', request instanceof Request ? request : undefined));
    const { lookUp, settle } = grantor;
    route ??= createFetchHandler({ ...grantor.options, getUser: (request) => lookUp(request, request.headers.get('x-test-user') ?? undefined) });
    if (new URL(request.url).pathname !== '/api/token') return new Response('Not Found', { status: 404 });
    return settle(request, () => route!(request));
  },
};
