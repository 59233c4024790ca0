// Runtime side, bundled with a worker (../workerd/fetch-worker.ts or hono-worker.ts): the worker's
// `env` outside workerd, and for Bun and Deno their own HTTP server around the worker's fetch. The
// env is the workerd one (../workerd/bridge.ts): the test's data options and hook names, and a NODE
// whose fetch reaches the test process, where the test's functions run. No Node APIs in this file.
import type { HookName, WorkerEnv } from '../workerd/bridge.js';

export interface Worker {
  fetch(request: Request, env: WorkerEnv): Response | Promise<Response>;
}

/** What the test process hands the runtime, as JSON. */
export interface HostConfig {
  options: Record<string, unknown>;
  hooks: HookName[];
  /** Bun and Deno: the test process's callback server, `http://127.0.0.1:<port>`. */
  callback?: string;
}

/** One call to the test process: `call` is its name (bridge.ts `Call`), the body and answer are bridge-encoded. */
export type CallNode = (call: string, body: string) => Promise<string>;

/** The worker's env, with NODE.fetch answered by `callNode`: a Response of this runtime around the encoded outcome. */
export function workerEnv(config: HostConfig, callNode: CallNode): WorkerEnv {
  return {
    NODE: {
      fetch: async (url, init) => new Response(await callNode(new URL(url).pathname.slice(1), String(init.body))),
    },
    GRANTOR_OPTIONS: config.options,
    GRANTOR_HOOKS: config.hooks,
  };
}

/** Printed on stdout once the server listens, with its port. */
export const LISTENING = 'grantor listening on port';

interface BunGlobal {
  serve(options: { port: number; hostname: string; fetch(request: Request): Response | Promise<Response> }): { port: number };
  env: Record<string, string | undefined>;
  stdin: { stream(): ReadableStream<Uint8Array> };
}
interface DenoGlobal {
  serve(
    options: { port: number; hostname: string; onListen(address: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown;
  env: { get(name: string): string | undefined };
  stdin: { readable: ReadableStream<Uint8Array> };
  exit(code?: number): never;
}

/**
 * Serves the worker with the runtime's own HTTP server on 127.0.0.1 (a free port), its config from
 * $GRANTOR_RUNTIME_CONFIG, and NODE.fetch a plain fetch to the test's callback server. Exits when
 * stdin closes, so the server never outlives the test process.
 */
export async function serveWithRuntime(worker: Worker): Promise<void> {
  const { Bun, Deno } = globalThis as { Bun?: BunGlobal; Deno?: DenoGlobal };
  const json = Bun ? Bun.env.GRANTOR_RUNTIME_CONFIG : Deno?.env.get('GRANTOR_RUNTIME_CONFIG');
  if (!json) throw new Error('GRANTOR_RUNTIME_CONFIG is not set');
  const config = JSON.parse(json) as HostConfig;
  const callNode: CallNode = (call, body) => fetch(`${config.callback}/${call}`, { method: 'POST', body }).then((response) => response.text());
  const env = workerEnv(config, callNode);
  const handle = (request: Request) => worker.fetch(request, env);
  let stdin: ReadableStream<Uint8Array>;
  if (Bun) {
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handle });
    console.log(`${LISTENING} ${server.port}`);
    stdin = Bun.stdin.stream();
  } else if (Deno) {
    Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(`${LISTENING} ${port}`) }, handle);
    stdin = Deno.stdin.readable;
  } else {
    throw new Error('neither Bun nor Deno');
  }
  const reader = stdin.getReader();
  while (!(await reader.read()).done);
  if (Deno) Deno.exit(0);
  (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(0);
}
