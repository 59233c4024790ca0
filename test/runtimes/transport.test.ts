/**
 * The drivers' own transport (drivers.ts, calls.ts): what a suite sends reaches the interpreter inside
 * each runtime unchanged, and what comes back is what the runtime answered, whatever the text. The
 * `echo` call returns its value as the runtime received it.
 */
import { expect, it } from 'vitest';
import type { Call } from './calls.js';
import { describeEachRuntime } from './each-runtime.js';

/** Text JSON writes with escapes, and non-ASCII: UTF-8 of 2, 3 and 4 bytes, U+2028/U+2029, lone surrogates. */
const SPECIAL = ['\\', '"', '\n', '\u0001', 'é', '中', '😀', '\u2028', '\u2029', '\ud800', '\udfff'];

const echo = (value: unknown): Call => ({ op: 'echo', value });

describeEachRuntime('the drivers carry every text both ways', (runtime) => {
  it('object keys written with escapes come back as sent, also after a key "\\" at the same place', async () => {
    // The differential's seed 685774947: a playback grant key "é" reached grantor on Deno as "\". V8 12.8
    // and later (Deno, workerd, Node 24+; nodejs/node#63785) can read an escaped key as the key an
    // earlier object of the same shape had at that place.
    const values = [{ grant: { url: 'a', '\\': 0 } }, ...SPECIAL.map((key) => ({ grant: { url: 'a', [key]: key, [`x${key}`]: [{ url: 'a', [key]: 1 }] } }))];
    expect(await runtime.run(values.map(echo))).toEqual(values.map((value) => ({ value })));
  });

  it('multi-byte characters at every offset, so that any chunk boundary splits some, in a batch of megabytes', async () => {
    // 4 offsets × 40,000 repetitions of 6 UTF-16 units: about 4 MB of UTF-8, more escaped.
    const values = [0, 1, 2, 3].map((offset) => ({ [`é${offset}`]: `${'x'.repeat(offset)}${'é中😀\u2028\ud800'.repeat(40_000)}z` }));
    const calls = [...values.map(echo), ...Array.from({ length: 2000 }, (_, index) => echo({ [SPECIAL[index % SPECIAL.length]!]: index }))];
    const outcomes = await runtime.run(calls);
    expect(outcomes).toEqual(calls.map((call) => ({ value: (call as { value: unknown }).value })));
  }, 60_000);
});
