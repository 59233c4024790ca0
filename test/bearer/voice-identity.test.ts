// voiceIdentity: any subject into Twilio Voice's alphabet, never two subjects into one identity.
import { createSigner, voiceIdentity } from '@grantor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/**
 * The inverse of the escaped form, written from the documented rules (not from the code): that every
 * identity of this form decodes back to its subject is what makes the mapping one-to-one.
 */
function decodeEscaped(identity: string): string {
  let subject = '';
  for (let i = 0; i < identity.length; ) {
    if (identity[i] !== '_') subject += identity[i++];
    else if (identity[i + 1] === '_') (subject += '_'), (i += 2);
    else if (identity[i + 1] === 'u') (subject += String.fromCharCode(parseInt(identity.slice(i + 2, i + 6), 16))), (i += 6);
    else (subject += String.fromCharCode(parseInt(identity.slice(i + 1, i + 3), 16))), (i += 3);
  }
  return subject;
}

const VOICE = /^[A-Za-z0-9_]{1,121}$/;
const HASHED = /^_h[0-9a-f]{64}$/;

/** Subjects as providers make them, and everything else a string can hold (lone surrogates included). */
const subjects = fc.oneof(
  fc.string({ minLength: 1, maxLength: 60, unit: fc.constantFrom(...'az09_|-.@:/ ') }),
  fc.string({ minLength: 1, maxLength: 200, unit: 'binary' }),
  fc.string({ minLength: 1, maxLength: 300 }),
  fc.uuid(),
);

describe('voiceIdentity', () => {
  it("maps providers' subjects as documented", () => {
    expect(voiceIdentity('auth0|64f1c2')).toBe('auth0_7c64f1c2');
    expect(voiceIdentity('google-oauth2|1057')).toBe('google_2doauth2_7c1057');
    expect(voiceIdentity('user_2abc')).toBe('user__2abc');
    expect(voiceIdentity('ünï')).toBe('_fcn_ef');
    expect(voiceIdentity('☎')).toBe('_u260e');
    expect(voiceIdentity('x'.repeat(122))).toMatch(HASHED);
  });

  it('gives an identity Twilio Voice accepts for every subject, and the signer takes it with a Voice grant', () => {
    const signer = createSigner({ accountSid: `AC${'a'.repeat(32)}`, keys: { sid: `SK${'b'.repeat(32)}`, secret: 's' } });
    fc.assert(
      fc.property(subjects, (subject) => {
        const identity = voiceIdentity(subject);
        expect(identity).toMatch(VOICE);
        expect(signer.sign({ identity, grants: { voice: {} } }).identity).toBe(identity);
      }),
      { numRuns: 2000 },
    );
  });

  it('is one-to-one: an escaped identity decodes back to its subject, a hashed one is never an escaped one', () => {
    fc.assert(
      fc.property(subjects, (subject) => {
        const identity = voiceIdentity(subject);
        if (HASHED.test(identity)) expect(identity).toBe(voiceIdentity(subject));
        else expect(decodeEscaped(identity)).toBe(subject);
      }),
      { numRuns: 5000 },
    );
    // No escaped form has `_h`: after `_` come only `_`, `u` or a hex digit.
    fc.assert(
      fc.property(subjects, (subject) => !voiceIdentity(subject).startsWith('_h') || HASHED.test(voiceIdentity(subject))),
      { numRuns: 2000 },
    );
  });

  it('never gives two different subjects one identity, near misses included', () => {
    const lookalikes = fc.string({ maxLength: 12, unit: fc.constantFrom('_', '7', 'c', '|', 'u', 'h', '2', 'd', '-', '\u260e', '\ud800') });
    fc.assert(
      fc.property(lookalikes, lookalikes, (a, b) => {
        fc.pre(a !== b && a !== '' && b !== '');
        expect(voiceIdentity(a)).not.toBe(voiceIdentity(b));
      }),
      { numRuns: 20000 },
    );
    // At the 121-character edge: the longest escaped form and the shortest hashed one.
    const edge = ['x'.repeat(121), 'x'.repeat(122), `${'x'.repeat(118)}|`, `${'x'.repeat(119)}|`];
    expect(new Set(edge.map(voiceIdentity)).size).toBe(edge.length);
    expect(voiceIdentity(`${'x'.repeat(118)}|`)).toHaveLength(121);
    expect(voiceIdentity(`${'x'.repeat(119)}|`)).toMatch(HASHED);
  });
});
