// Hostile tokens, seeded like the route fuzz: times anywhere in the safe integers (past the dates a
// Date can hold), in fractions, as strings; crit headers; claim names and values with terminal escape
// sequences. inspectAccessToken and verifyAccessToken must answer with AccessTokenError only, and
// what the CLI prints of such a token must carry no character that drives a terminal.
import { createHmac } from 'node:crypto';
import { AccessTokenError, inspectAccessToken, verifyAccessToken } from '@grantor/core';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { colorsFor } from '../../packages/cli/src/io.js';
import { formatDecoded, formatFindings, printableJson, toReport } from '../../packages/cli/src/report.js';
import { RUNS, SEED } from './harness.js';

const ACCOUNT_SID = `AC${'e'.repeat(32)}`;
const KEY = { sid: `SK${'f'.repeat(32)}`, secret: 'verify-fuzz-secret' };
const NOW = 1_800_000_000;
const plain = colorsFor({ isTTY: false } as NodeJS.WriteStream);
/** What must never reach a terminal from a token: controls (the newlines the CLI writes aside), line separators, bidi and invisible format characters. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/;

const time = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: NOW - 100_000, max: NOW + 100_000 }) },
  { weight: 3, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 8.64e12, 8.64e12 + 1, -8.64e12 - 1, 0, -1) },
  { weight: 2, arbitrary: fc.maxSafeInteger() },
  { weight: 1, arbitrary: fc.oneof(fc.double(), fc.constantFrom('1800000000', null, true, [], {})) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const hostileText = fc.oneof(
  fc.constantFrom('\u001b[2J\u001b[H✓ No problems found.', 'a\r\nb', '\u009b31m', 'x\u2028y', '\u202eevil', 'ok'),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const header = fc.record(
  {
    alg: fc.constantFrom('HS256', 'HS256', 'none'),
    typ: fc.constant('JWT'),
    cty: fc.constant('twilio-fpa;v=1'),
    crit: fc.oneof(fc.constant(['exp']), fc.array(hostileText, { maxLength: 2 })),
    extra: hostileText,
  },
  { requiredKeys: ['alg', 'typ', 'cty'] },
);
const claims = fc
  .record({ exp: time, nbf: time, iat: time, identity: hostileText, room: hostileText, name: hostileText, value: hostileText })
  .map(({ exp, nbf, iat, identity, room, name, value }) => ({
    jti: `${KEY.sid}-${NOW}`,
    iss: KEY.sid,
    sub: ACCOUNT_SID,
    grants: { identity, video: { room }, [name]: value },
    ...(exp !== undefined && { exp }),
    ...(nbf !== undefined && { nbf }),
    ...(iat !== undefined && { iat }),
    [name]: value,
  }));

const part = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
function sign(headerJson: object, claimsJson: object): string {
  const input = `${part(headerJson)}.${part(claimsJson)}`;
  return `${input}.${createHmac('sha256', KEY.secret).update(input).digest('base64url')}`;
}

test(`hostile token claims: AccessTokenError only, and nothing unsafe in the CLI's output (seed ${SEED}, ${RUNS * 5} runs)`, () => {
  const options = { accountSid: ACCOUNT_SID, keys: KEY, clock: () => NOW * 1000 };
  fc.assert(
    fc.property(header, claims, (headerJson, claimsJson) => {
      const token = sign(headerJson, claimsJson);
      const inspection = inspectAccessToken(token, options);
      for (const problem of inspection.problems) expect(problem).toBeInstanceOf(AccessTokenError);
      try {
        verifyAccessToken(token, options);
        expect(inspection.problems, 'verify passes only what inspect finds nothing wrong with').toEqual([]);
      } catch (error) {
        expect(error).toBeInstanceOf(AccessTokenError);
        expect((error as AccessTokenError).code).toBe(inspection.problems[0]?.code);
      }
      if (headerJson.crit !== undefined)
        expect(inspection.problems.map((problem) => problem.code)).toContain(headerJson.alg === 'HS256' ? 'INVALID_HEADER' : 'UNSUPPORTED_ALGORITHM');
      const report = toReport(inspection);
      const text = `${formatDecoded(inspection.decoded!, NOW, plain)}\n${formatFindings(report.problems, 'No problems found.', plain)}`;
      expect(text, 'decode prints nothing that drives a terminal').not.toMatch(UNSAFE);
      expect(printableJson(report).replace(/\n/g, ''), 'nor does decode --json').not.toMatch(UNSAFE);
    }),
    { seed: SEED, numRuns: RUNS * 5 },
  );
});
