/**
 * Runs a suite once per runtime: grantor starts there once per file (beforeAll), the first test checks
 * that the runtime really is the intended one and runs the intended crypto implementation, and the
 * suite's own tests send it batches of calls. A runtime whose binary is missing fails in CI
 * (process.env.CI) and is skipped locally, with the reason in the skipped test's name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenError, type AccessTokenErrorCode } from '@grantor/core';
import { expectNoSecretIn } from '../../packages/core/test/support.js';
import type { Call, ErrorResult, Outcome, RuntimeInfo } from './calls.js';
import { removeBundle, RUNTIMES, type RuntimeDriver, type RuntimeName, startRuntime, unavailableReason } from './drivers.js';

export { RUNTIMES, type RuntimeName };

/** What each runtime must report from inside. */
const EXPECTED: Record<RuntimeName, { info: Partial<RuntimeInfo>; is: (info: RuntimeInfo) => boolean; what: string }> = {
  node: {
    info: { cryptoRuntime: 'node:crypto', getBuiltinModule: 'function', buffer: 'function', bun: undefined, deno: undefined },
    is: (info) => info.node !== undefined,
    what: 'a Node version and no Bun or Deno',
  },
  workerd: {
    info: { cryptoRuntime: 'portable', getBuiltinModule: 'undefined', buffer: 'undefined', node: undefined, userAgent: 'Cloudflare-Workers' },
    is: (info) => info.userAgent === 'Cloudflare-Workers',
    what: 'navigator.userAgent "Cloudflare-Workers"',
  },
  'edge-vm': {
    info: { cryptoRuntime: 'portable', getBuiltinModule: 'undefined', buffer: 'undefined', node: undefined, bun: undefined, deno: undefined },
    is: (info) => info.edgeRuntime === 'edge-runtime',
    what: 'the EdgeRuntime global "edge-runtime"',
  },
  bun: {
    info: { cryptoRuntime: 'node:crypto', getBuiltinModule: 'function', deno: undefined },
    is: (info) => typeof info.bun === 'string' && info.userAgent?.startsWith('Bun/') === true,
    what: 'Bun.version and a Bun/ user agent',
  },
  deno: {
    info: { cryptoRuntime: 'node:crypto', getBuiltinModule: 'function', bun: undefined },
    is: (info) => typeof info.deno === 'string' && info.userAgent?.startsWith('Deno/') === true,
    what: 'Deno.version and a Deno/ user agent',
  },
};

export interface RuntimeHandle {
  readonly name: RuntimeName;
  /** Sends one batch; one outcome per call. */
  run(calls: readonly Call[]): Promise<Outcome[]>;
  /** One call; its value, or a test failure naming the error. */
  value<T = unknown>(call: Call): Promise<T>;
  /** One call's outcome. */
  outcome<T = unknown>(call: Call): Promise<Outcome<T>>;
}

/** The value of an outcome, failing the test with the runtime's error when there is none. */
export function valueOf<T>(outcome: Outcome<T>, context = ''): T {
  if (outcome.error) expect.fail(`${context}${context ? ': ' : ''}unexpected ${outcome.error.name} ${outcome.error.code ?? ''}: ${outcome.error.message}`);
  return outcome.value as T;
}

/**
 * The remote counterpart of expectTokenError: an AccessTokenError (by instanceof inside the runtime
 * and by name here) with this code and Twilio code, whose message names no test secret.
 */
export function expectTokenErrorOutcome(outcome: Outcome, code: AccessTokenErrorCode, twilioCode: number | undefined, context?: string): ErrorResult {
  expect(outcome.error, context ?? `expected ${code} to be thrown`).toBeDefined();
  const error = outcome.error!;
  expect({ name: error.name, accessTokenError: error.accessTokenError, code: error.code, twilioCode: error.twilioCode }, context).toEqual({
    name: AccessTokenError.name,
    accessTokenError: true,
    code,
    twilioCode,
  });
  expectNoSecretIn(error.message);
  return error;
}

/** `describe(`${title} on ${runtime}`)` for every runtime, each started once for the file. */
export function describeEachRuntime(title: string, body: (grantor: RuntimeHandle) => void): void {
  // File level: after every runtime's afterAll.
  afterAll(removeBundle);
  for (const name of RUNTIMES) {
    const reason = unavailableReason(name);
    if (reason !== undefined && !process.env.CI) {
      console.warn(`${title} on ${name}: skipped, ${reason}`);
      describe.skip(`${title} on ${name}`, () => {
        it(`skipped: ${reason} (this fails in CI)`, () => {});
      });
      continue;
    }
    describe(`${title} on ${name}`, () => {
      if (reason !== undefined) {
        it(`${name} is available`, () => expect.fail(`${name} cannot run: ${reason}`));
        return;
      }
      let driver: RuntimeDriver | undefined;
      const started = () => {
        if (!driver) throw new Error(`${name} did not start (see the beforeAll error)`);
        return driver;
      };
      const handle: RuntimeHandle = {
        name,
        run: (calls) => started().run(calls),
        outcome: async <T>(call: Call) => (await started().run([call]))[0] as Outcome<T>,
        value: async <T>(call: Call) => valueOf((await started().run([call]))[0] as Outcome<T>, `${call.op} on ${name}`),
      };
      beforeAll(async () => {
        driver = await startRuntime(name);
      });
      afterAll(async () => {
        await driver?.close();
      });

      const expected = EXPECTED[name];
      it(`runs on ${name} (${expected.what}) with the ${expected.info.cryptoRuntime} crypto implementation`, async () => {
        const info = await handle.value<RuntimeInfo>({ op: 'info' });
        expect(expected.is(info), `${name} reports ${JSON.stringify(info)}`).toBe(true);
        const seen = Object.fromEntries(Object.keys(expected.info).map((key) => [key, info[key as keyof RuntimeInfo]]));
        expect(seen, JSON.stringify(info)).toEqual(expected.info);
      });

      body(handle);
    });
  }
}
