// Node side: the workerd adapters' worker modules (createFetchHandler, Hono) served by Bun's and
// Deno's own HTTP servers (Bun.serve, Deno.serve) in a child process, and by an Edge VM
// (@edge-runtime/vm, what Vercel Edge runs) behind a small node:http server here. The worker's env is
// the workerd one (../workerd/bridge.ts): the test's data options as JSON and its functions called
// back in this process: over HTTP to a callback server for Bun and Deno, as a function for the VM.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { binaryOf } from '../../runtimes/drivers.js';
import { type Call, decode, encode, type HookName, type WorkerRequest } from '../workerd/bridge.js';
import { splitOptions } from '../workerd/miniflare.js';
import { acquireServerBundle, EDGE_GLOBAL, edgeBundle, type WorkerKind } from './bundle.js';
import { type CallNode, type HostConfig, LISTENING, type Worker } from './host.js';

export const RUNTIME_SERVERS = {
  'fetch-bun': ['fetch', 'bun'],
  'hono-bun': ['hono', 'bun'],
  'fetch-deno': ['fetch', 'deno'],
  'hono-deno': ['hono', 'deno'],
  'fetch-edge-vm': ['fetch', 'edge-vm'],
  'hono-edge-vm': ['hono', 'edge-vm'],
  // test/bearer/worker.ts: bearerUser against a provider on loopback, its settings per request.
  'bearer-bun': ['bearer', 'bun'],
  'bearer-deno': ['bearer', 'deno'],
  'bearer-edge-vm': ['bearer', 'edge-vm'],
} as const satisfies Record<string, readonly [WorkerKind, 'bun' | 'deno' | 'edge-vm']>;
export type RuntimeServerName = keyof typeof RUNTIME_SERVERS;

/** What grantor passes the policy and hooks as `request` in each worker. */
const REQUEST_KINDS: Record<WorkerKind, string> = { hono: 'Context', fetch: 'Request', bearer: 'Request' };

export interface RuntimeServer {
  url: string;
  close(): Promise<void>;
  requestLine(request: unknown): string;
  requestHeader(request: unknown, name: string): string | undefined;
}

/** The options as the worker's env: the data as JSON, the functions by name. Throws for what cannot cross. */
function hostConfig(name: string, options: Record<string, unknown>): HostConfig {
  const { data, hooks } = splitOptions(options, name);
  return { options: data, hooks };
}

/** Runs one call from the runtime: the test's function, answered with what it returned or threw (bridge-encoded). */
function callAnswerer(options: Record<string, unknown>, userNamed: (name: string | null | undefined) => unknown): CallNode {
  const functions = options as Record<HookName, (...args: unknown[]) => unknown>;
  return async (call, body) => {
    const args = decode(body) as unknown[];
    try {
      const value = (call as Call) === 'user' ? await userNamed(args[0] as string | undefined) : await functions[call as HookName](...args);
      return encode({ value });
    } catch (error) {
      return encode({ threw: error });
    }
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

function readAll(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** The test's functions over HTTP: `POST /<call>` with the encoded arguments, answered with the encoded outcome. */
async function serveCallbacks(callNode: CallNode): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    void readAll(request)
      .then((body) => callNode(request.url!.slice(1), body))
      .then((answer) => response.end(answer))
      .catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  return { url: await listen(server), close: () => closeServer(server) };
}

/** `bun` or `deno` serving the worker: started, and resolved with its URL once it prints its port. */
async function serveInProcess(runtime: 'bun' | 'deno', kind: WorkerKind, config: HostConfig, callNode: CallNode) {
  const binary = binaryOf(runtime);
  if (!binary) throw new Error(`no ${runtime} binary (see test/runtimes/README.md, "Missing runtimes")`);
  const [{ path, release }, callbacks] = await Promise.all([acquireServerBundle(kind), serveCallbacks(callNode)]);
  const args =
    runtime === 'bun'
      ? ['run', '--no-install', path]
      : ['run', '--quiet', '--no-config', '--no-lock', '--no-prompt', '--allow-net', '--allow-env', '--allow-read', path];
  const child: ChildProcessWithoutNullStreams = spawn(binary, args, {
    cwd: dirname(path),
    env: { ...process.env, GRANTOR_RUNTIME_CONFIG: JSON.stringify({ ...config, callback: callbacks.url }), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
  });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${runtime} did not listen within 20 s: ${output}`)), 20_000);
    child.once('error', reject);
    void exited.then(() => reject(new Error(`${runtime} exited (${child.exitCode ?? child.signalCode}) before listening: ${output}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith(LISTENING)) return void (output += `${line}\n`);
      clearTimeout(timer);
      resolve(`http://127.0.0.1:${line.slice(LISTENING.length).trim()}`);
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    release();
    await callbacks.close();
    throw error;
  });
  return {
    url,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        // stdin's end makes the host exit; SIGKILL if it does not within 2 s.
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
      release();
      await callbacks.close();
    },
  };
}

interface EdgeGlobals {
  Request: typeof Request;
  Headers: typeof Headers;
  ReadableStream: typeof ReadableStream;
  Uint8Array: typeof Uint8Array;
}

/**
 * The worker in an Edge VM behind node:http, as Vercel's platform fronts an Edge Function: each
 * request becomes a Request of the VM's realm (headers as sent, the body streamed in as it arrives),
 * its Response written back. NODE.fetch is a function: the call crosses the realm as strings.
 */
async function serveInEdgeVm(kind: WorkerKind, config: HostConfig, callNode: CallNode) {
  const { EdgeVM } = await import('@edge-runtime/vm');
  const vm = new EdgeVM();
  vm.evaluate(await edgeBundle(kind));
  vm.context.__grantorConfig = JSON.stringify(config);
  vm.context.__grantorCallNode = callNode;
  const worker = vm.evaluate<Worker>(`globalThis.${EDGE_GLOBAL}.worker`);
  const env = vm.evaluate(`globalThis.${EDGE_GLOBAL}.workerEnv(JSON.parse(globalThis.__grantorConfig), globalThis.__grantorCallNode)`);
  const realm = vm.context as unknown as EdgeGlobals;

  function toRequest(request: IncomingMessage, origin: string): Request {
    const headers = new realm.Headers();
    for (let index = 0; index < request.rawHeaders.length; index += 2) headers.append(request.rawHeaders[index]!, request.rawHeaders[index + 1]!);
    const bodyless =
      request.method === 'GET' ||
      request.method === 'HEAD' ||
      (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined);
    const body = bodyless
      ? null
      : new realm.ReadableStream<Uint8Array>({
          start(controller) {
            request.on('data', (chunk: Buffer) => controller.enqueue(new realm.Uint8Array(chunk)));
            request.on('end', () => controller.close());
            request.on('error', (error) => controller.error(error));
          },
        });
    return new realm.Request(`${origin}${request.url}`, { method: request.method, headers, body, duplex: 'half' } as RequestInit);
  }

  async function answer(request: IncomingMessage, response: ServerResponse, origin: string): Promise<void> {
    const answered = await worker.fetch(toRequest(request, origin), env);
    const body = Buffer.from(await answered.arrayBuffer());
    response.writeHead(answered.status, [...answered.headers].flat());
    response.end(body);
  }

  let origin = '';
  const server = createServer((request, response) => {
    answer(request, response, origin).catch((error: unknown) => {
      console.error(`the Edge VM's ${kind} worker threw:`, error);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  origin = await listen(server);
  return { url: origin, close: () => closeServer(server) };
}

export async function serveOnRuntime(
  name: RuntimeServerName,
  options: Record<string, unknown>,
  userNamed: (name: string | null | undefined) => unknown,
): Promise<RuntimeServer> {
  const [kind, runtime] = RUNTIME_SERVERS[name];
  const config = hostConfig(name, options);
  const callNode = callAnswerer(options, userNamed);
  const served = runtime === 'edge-vm' ? await serveInEdgeVm(kind, config, callNode) : await serveInProcess(runtime, kind, config, callNode);
  const expected = REQUEST_KINDS[kind];
  return {
    ...served,
    requestLine: (request) => ((request as WorkerRequest).kind === expected ? (request as WorkerRequest).line : `not a ${expected}`),
    requestHeader: (request, header) => (request as WorkerRequest).headers[header.toLowerCase()],
  };
}
