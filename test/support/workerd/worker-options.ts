// Worker side: grantor's options from the bindings, with each of the test's functions called back in
// Node. Bundled into both workers.
import type { TokenHandlerOptions } from '@grantor/core';
import { type Call, decode, encode, type Outcome, type WorkerEnv, type WorkerRequest } from './bridge.js';

export interface WorkerGrantor<TRequest extends object> {
  options: TokenHandlerOptions<unknown, TRequest>;
  /** The test's user lookup for this request's `x-test-user` header (throws what it throws). */
  lookUp(request: TRequest, userName: string | undefined): Promise<unknown>;
  /**
   * Runs one request and waits for every call it made to Node before answering: grantor does not
   * wait for onError, and the test reads what the hooks recorded as soon as the answer arrives.
   */
  settle<T>(request: TRequest, run: () => Promise<T>): Promise<T>;
}

export function workerGrantor<TRequest extends object>(env: WorkerEnv, describe: (request: TRequest) => WorkerRequest): WorkerGrantor<TRequest> {
  const pending = new WeakMap<TRequest, Promise<unknown>[]>();

  async function call(request: TRequest, name: Call, args: unknown[]): Promise<unknown> {
    const answer = env.NODE.fetch(`http://test/${name}`, { method: 'POST', body: encode(args) })
      .then((response) => response.text())
      .then((text) => decode(text) as Outcome);
    pending.get(request)?.push(answer.catch(() => {}));
    const outcome = await answer;
    if ('threw' in outcome) throw outcome.threw;
    return outcome.value;
  }

  const hooks: Record<string, (...args: never[]) => unknown> = {
    policy: (context: { request: TRequest }) => call(context.request, 'policy', [{ ...context, request: describe(context.request) }]),
    onIssued: (event: { request: TRequest }) => call(event.request, 'onIssued', [{ ...event, request: describe(event.request) }]),
    onDenied: (event: { request: TRequest }) => call(event.request, 'onDenied', [{ ...event, request: describe(event.request) }]),
    onError: (error: unknown, request: TRequest) => call(request, 'onError', [error, describe(request)]),
  };
  const options = { ...env.GRANTOR_OPTIONS, ...Object.fromEntries(env.GRANTOR_HOOKS.map((name) => [name, hooks[name]])) } as unknown as TokenHandlerOptions<
    unknown,
    TRequest
  >;

  return {
    options,
    lookUp: (request, userName) => call(request, 'user', [userName]),
    async settle(request, run) {
      const calls: Promise<unknown>[] = [];
      pending.set(request, calls);
      try {
        return await run();
      } finally {
        await Promise.all(calls);
        pending.delete(request);
      }
    },
  };
}

/** `METHOD /path?query` and the headers of the framework request's Fetch API request, if it is the `kind` expected. */
export function describeRequest(kind: string, request: Request | undefined): WorkerRequest {
  if (!request) return { kind: `not a ${kind}`, line: '', headers: {} };
  const url = new URL(request.url);
  return { kind, line: `${request.method} ${url.pathname}${url.search}`, headers: Object.fromEntries(request.headers) };
}
