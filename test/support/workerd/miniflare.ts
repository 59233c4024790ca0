// Node side: a grantor worker bundled with esbuild and run in workerd by Miniflare, on a real port,
// without nodejs_compat (grantor's core must not need it). The worker calls the test's own functions
// back here (see bridge.ts), so the caller's options object stays the single source of truth.
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import * as esbuild from 'esbuild';
import { Miniflare, Response } from 'miniflare';
import { type Call, decode, encode, HOOKS, type HookName, type WorkerRequest } from './bridge.js';

export const WORKERS = { 'hono-workerd': 'hono-worker.ts', 'fetch-workerd': 'fetch-worker.ts' } as const;
export type WorkerName = keyof typeof WORKERS;

/** What grantor passes the policy and hooks as `request` in each worker. */
const REQUEST_KINDS: Record<WorkerName, string> = { 'hono-workerd': 'Context', 'fetch-workerd': 'Request' };

/** A fixed date the installed workerd supports, so a Miniflare update changes no behaviour by itself. */
export const COMPATIBILITY_DATE = '2025-09-01';

const bundles = new Map<string, Promise<string>>();

/** A worker entry (a file path) as one ES module, built once per test process. */
export function bundleWorker(entry: string): Promise<string> {
  let built = bundles.get(entry);
  if (!built) {
    built = esbuild
      .build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'neutral',
        target: 'es2022',
        conditions: ['source', 'workerd', 'worker', 'browser'],
        mainFields: ['module', 'main'],
        // An optional peer, loaded at run time only for app validators: the tests pass none.
        external: ['express-validator'],
        logLevel: 'silent',
      })
      .then((result) => result.outputFiles[0]!.text);
    bundles.set(entry, built);
  }
  return built;
}

const bundle = (name: WorkerName) => bundleWorker(fileURLToPath(new URL(WORKERS[name], import.meta.url)));

/** The options as bindings: the data as JSON, the functions by name. Throws for what cannot cross. */
export function splitOptions(options: Record<string, unknown>, who = 'The workerd adapters'): { data: Record<string, unknown>; hooks: HookName[] } {
  const data: Record<string, unknown> = {};
  const hooks: HookName[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (typeof value !== 'function') data[key] = value;
    else if ((HOOKS as readonly string[]).includes(key)) hooks.push(key as HookName);
    else throw new Error(`${who} cannot pass the function option ${key} to the runtime (they call back ${HOOKS.join(', ')} only).`);
  }
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(data)), data)) {
    throw new Error(`${who} pass the data options to the runtime as JSON, and these do not survive it: ${Object.keys(data).join(', ')}.`);
  }
  return { data, hooks };
}

export interface WorkerdServer {
  url: string;
  close(): Promise<void>;
  requestLine(request: unknown): string;
  requestHeader(request: unknown, name: string): string | undefined;
}

export async function serveWorker(
  name: WorkerName,
  options: Record<string, unknown>,
  userNamed: (name: string | null | undefined) => unknown,
): Promise<WorkerdServer> {
  const { data, hooks } = splitOptions(options);
  const functions = options as Record<HookName, (...args: unknown[]) => unknown>;
  const mf = new Miniflare({
    // The module given as is: Miniflare's own import analysis (`modules: true`) refuses a bundle that
    // keeps a run-time import(), as grantor's for express-validator; workerd loads it.
    modules: [{ type: 'ESModule', path: `${name}.mjs`, contents: await bundle(name) }],
    compatibilityDate: COMPATIBILITY_DATE,
    host: '127.0.0.1',
    port: 0,
    bindings: { GRANTOR_OPTIONS: data as never, GRANTOR_HOOKS: hooks },
    serviceBindings: {
      // One call from the worker: run the test's function, answer what it returned or threw.
      NODE: async (request) => {
        const call = new URL(request.url).pathname.slice(1) as Call;
        const args = decode(await request.text()) as unknown[];
        try {
          const value = call === 'user' ? await userNamed(args[0] as string | undefined) : await functions[call](...args);
          return new Response(encode({ value }));
        } catch (error) {
          return new Response(encode({ threw: error }));
        }
      },
    },
  });
  const url = (await mf.ready).origin;
  const kind = REQUEST_KINDS[name];
  return {
    url,
    close: () => mf.dispose(),
    requestLine: (request) => ((request as WorkerRequest).kind === kind ? (request as WorkerRequest).line : `not a ${kind}`),
    requestHeader: (request, header) => (request as WorkerRequest).headers[header.toLowerCase()],
  };
}
