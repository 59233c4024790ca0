/**
 * One interface over every runtime grantor supports: `run(calls)` sends a JSON batch of calls
 * (calls.ts) to grantor running there and returns one outcome per call.
 * - node: in-process, @grantor/core's source as the rest of the suite imports it
 * - workerd: the bundle as a module Worker in Miniflare, WITHOUT nodejs_compat; batches are POSTed
 * - edge-vm: the bundle evaluated in `new EdgeVM()` (@edge-runtime/vm, what Vercel Edge runs)
 * - bun, deno: `bun` / `deno run` on a host script importing the bundle, one JSON batch per stdin line
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Call, executeJson, fromWire, type Outcome, toWire } from './calls.js';
import { bundleHarness, type HarnessBundle, ROOT } from './bundle.js';

export const RUNTIMES = ['node', 'workerd', 'edge-vm', 'bun', 'deno'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

export interface RuntimeDriver {
  readonly name: RuntimeName;
  run(calls: readonly Call[]): Promise<Outcome[]>;
  close(): Promise<void>;
}

const BINARY_VARIABLES = { bun: 'GRANTOR_BUN', deno: 'GRANTOR_DENO' } as const;
const runs = (binary: string) => spawnSync(binary, ['--version']).status === 0;

/** The binary of a child-process runtime: $GRANTOR_BUN / $GRANTOR_DENO when set, else the test package's pinned one, else one on PATH. */
export function binaryOf(name: 'bun' | 'deno'): string | undefined {
  const chosen = process.env[BINARY_VARIABLES[name]];
  if (chosen) return runs(chosen) ? chosen : undefined;
  const pinned = join(ROOT, 'test/node_modules/.bin', name);
  if (existsSync(pinned) && runs(pinned)) return pinned;
  return runs(name) ? name : undefined;
}

/** Why a runtime cannot run here, or undefined when it can. */
export function unavailableReason(name: RuntimeName): string | undefined {
  if (name !== 'bun' && name !== 'deno') return undefined;
  if (binaryOf(name)) return undefined;
  const chosen = process.env[BINARY_VARIABLES[name]];
  return chosen ? `${BINARY_VARIABLES[name]}=${chosen} does not run` : `no ${name} binary in test/node_modules/.bin or on PATH`;
}

const parseOutcomes = (json: string, count: number): Outcome[] => {
  const outcomes = fromWire(json) as Outcome[];
  if (!Array.isArray(outcomes) || outcomes.length !== count) throw new Error(`expected ${count} outcomes, got: ${json.slice(0, 500)}`);
  return outcomes;
};

async function nodeDriver(): Promise<RuntimeDriver> {
  const [core, runtime, support] = await Promise.all([
    import('@grantor/core'),
    import('../../packages/core/src/runtime.js'),
    import('../../packages/core/test/support.js'),
  ]);
  const implementation = {
    core,
    cryptoRuntimeName: runtime.cryptoRuntime.name,
    twilioAccessToken: support.TwilioAccessToken as never,
  };
  return {
    name: 'node',
    // Through the wire format as well, so that every runtime's outcomes have exactly the same shape.
    run: async (calls) => parseOutcomes(executeJson(implementation, toWire(calls)), calls.length),
    close: async () => {},
  };
}

async function workerdDriver(bundle: HarnessBundle): Promise<RuntimeDriver> {
  const { Miniflare } = await import('miniflare');
  // No compatibilityFlags: no nodejs_compat, so no `process` and no node:crypto, as a default Worker.
  const miniflare = new Miniflare({
    modules: [{ type: 'ESModule', path: 'harness.mjs', contents: bundle.esm }],
    compatibilityDate: '2025-09-01',
  });
  await miniflare.ready;
  return {
    name: 'workerd',
    async run(calls) {
      const response = await miniflare.dispatchFetch('http://grantor.test/run', { method: 'POST', body: toWire(calls) });
      const text = await response.text();
      if (!response.ok) throw new Error(`workerd answered ${response.status}: ${text.slice(0, 2000)}`);
      return parseOutcomes(text, calls.length);
    },
    close: () => miniflare.dispose(),
  };
}

async function edgeVmDriver(bundle: HarnessBundle): Promise<RuntimeDriver> {
  const { EdgeVM } = await import('@edge-runtime/vm');
  const vm = new EdgeVM();
  vm.evaluate(bundle.iife);
  return {
    name: 'edge-vm',
    async run(calls) {
      // Strings cross the realm boundary as they are; objects would come back from the VM's realm.
      vm.context.__grantorCalls = toWire(calls);
      return parseOutcomes(vm.evaluate<string>('globalThis.__grantorHarness.runJson(globalThis.__grantorCalls)'), calls.length);
    },
    close: async () => {},
  };
}

/**
 * JSON as ASCII: Bun's and Deno's readline also end lines at U+2028 and U+2029, which JSON.stringify
 * leaves raw, so every non-ASCII unit travels escaped (still the same JSON).
 */
const asciiJson = (json: string) => json.replace(/[\u007f-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Reads `<id>\t<calls JSON>` lines and answers `<id>\t<outcomes JSON>`; the error of a bad batch as `<id>\t!<message>`. */
const STDIO_HOST = `import { runJson } from './harness.mjs';
import { createInterface } from 'node:readline';
import process from 'node:process';
createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
  const tab = line.indexOf('\\t');
  const id = line.slice(0, tab);
  let answer;
  try {
    answer = runJson(line.slice(tab + 1)).replace(/[\\u007f-\\uffff]/g, (unit) => '\\\\u' + unit.charCodeAt(0).toString(16).padStart(4, '0'));
  } catch (error) {
    answer = '!' + String(error && error.stack || error).replace(/\\n/g, ' | ');
  }
  process.stdout.write(id + '\\t' + answer + '\\n');
});
`;

async function processDriver(name: 'bun' | 'deno', bundle: HarnessBundle): Promise<RuntimeDriver> {
  const hostPath = join(bundle.dir, 'host.mjs');
  writeFileSync(hostPath, STDIO_HOST);
  const binary = binaryOf(name)!;
  // Deno with no permissions at all: grantor needs none, and the host only reads stdin and writes stdout.
  const args = name === 'bun' ? ['run', '--no-install', hostPath] : ['run', '--quiet', '--no-config', '--no-lock', '--no-prompt', hostPath];
  const child: ChildProcessWithoutNullStreams = spawn(binary, args, {
    cwd: bundle.dir,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const pending = new Map<string, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  let exited: Error | undefined;
  child.on('exit', (code, signal) => {
    exited = new Error(`${name} exited (${code ?? signal}): ${stderr}`);
    for (const waiter of pending.values()) waiter.reject(exited);
    pending.clear();
  });
  child.on('error', (error) => {
    exited = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    const tab = line.indexOf('\t');
    const waiter = pending.get(line.slice(0, tab));
    if (!waiter) return;
    pending.delete(line.slice(0, tab));
    const answer = line.slice(tab + 1);
    if (answer.startsWith('!')) waiter.reject(new Error(`${name}: ${answer.slice(1)}`));
    else waiter.resolve(answer);
  });
  let nextId = 0;
  return {
    name,
    async run(calls) {
      if (exited) throw exited;
      const id = String(nextId++);
      const answer = new Promise<string>((resolve, reject) => pending.set(id, { resolve, reject }));
      child.stdin.write(`${id}\t${asciiJson(toWire(calls))}\n`);
      return parseOutcomes(await answer, calls.length);
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await gone;
      clearTimeout(timer);
    },
  };
}

let bundling: Promise<HarnessBundle> | undefined;

/** Starts grantor on a runtime; the bundle is built once per test file and removed after the last driver closes. */
export async function startRuntime(name: RuntimeName): Promise<RuntimeDriver> {
  if (name === 'node') return nodeDriver();
  bundling ??= bundleHarness();
  const bundle = await bundling;
  if (name === 'workerd') return workerdDriver(bundle);
  if (name === 'edge-vm') return edgeVmDriver(bundle);
  return processDriver(name, bundle);
}

/** Removes the bundle folder (call once, after every driver of the file has closed). */
export async function removeBundle(): Promise<void> {
  const bundle = await bundling?.catch(() => undefined);
  bundling = undefined;
  bundle?.remove();
}
