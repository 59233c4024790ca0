// The two crypto implementations: node:crypto (Node, Bun, Deno) and the portable one (Workers, Vercel Edge).
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { cryptoRuntime, nodeCryptoRuntime, portableRuntime, timingSafeEqualStrings } from '../packages/core/src/runtime.js';

const node = nodeCryptoRuntime()!;

describe('the crypto runtimes', () => {
  it('uses node:crypto on Node', () => {
    expect(cryptoRuntime.name).toBe('node:crypto');
  });

  it("falls back to the portable one where process.getBuiltinModule throws, as in Next.js's Edge sandbox", async () => {
    const original = process.getBuiltinModule;
    process.getBuiltinModule = (() => {
      throw new Error('A Node.js API is used (process.getBuiltinModule) which is not supported in the Edge Runtime.');
    }) as typeof process.getBuiltinModule;
    try {
      vi.resetModules();
      const fresh = await import('../packages/core/src/runtime.js');
      expect(fresh.cryptoRuntime.name).toBe('portable');
      expect(fresh.nodeCryptoRuntime()).toBeUndefined();
    } finally {
      process.getBuiltinModule = original;
    }
  });

  it('agree on base64url for any text, including astral and lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(portableRuntime.encode(text)).toBe(node.encode(text));
        expect(portableRuntime.encode(text)).toBe(Buffer.from(text).toString('base64url'));
      }),
      { numRuns: 2000 },
    );
  });

  it('decode what the other encoded, at every length modulo 3, and replace bad UTF-8 alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const encoded = Buffer.from(bytes).toString('base64url');
        const expected = new TextDecoder().decode(bytes);
        expect(portableRuntime.decodeText(encoded)).toBe(expected);
        expect(node.decodeText(encoded)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('sign as createHmac does, for any secret and input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 600 }), (secret, input) => {
        const expected = createHmac('sha256', secret).update(input).digest('base64url');
        expect(portableRuntime.hmacSigner(secret)(input)).toBe(expected);
        expect(node.hmacSigner(secret)(input)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reuse a prepared secret without one signature changing the next', () => {
    const sign = portableRuntime.hmacSigner('secret');
    const first = sign('a.b');
    sign('something else entirely');
    expect(sign('a.b')).toBe(first);
  });

  it('compare signatures exactly', () => {
    expect(timingSafeEqualStrings('abc', 'abc')).toBe(true);
    expect(timingSafeEqualStrings('abc', 'abd')).toBe(false);
    expect(timingSafeEqualStrings('abc', 'abcd')).toBe(false);
    expect(timingSafeEqualStrings('', '')).toBe(true);
  });
});
