/** Every way verification fails, with grantor's code and the Twilio error Twilio would answer. */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSigner, decodeAccessToken, inspectAccessToken, type VerifyOptions, verifyAccessToken } from '@grantor/core';
import {
  ACCOUNT_SID,
  expectNoSecretIn,
  expectTokenError,
  handSign,
  KEY,
  NOW,
  NOW_MS,
  OLD_KEY,
  readToken,
  sid,
  TWILIO_HEADER,
  TwilioAccessToken,
  validClaims,
} from './support.js';

const signer = createSigner({ accountSid: ACCOUNT_SID, keys: KEY, clock: () => NOW_MS });
const mint = (ttl = 3600, nbf?: number) => signer.sign({ identity: 'alice', grants: { video: { room: 'lobby' } }, ttl, nbf }).token;
const atSecond = (seconds: number) => () => seconds * 1000;
const verify = (token: string, options: Partial<VerifyOptions> = {}) =>
  verifyAccessToken(token, { accountSid: ACCOUNT_SID, keys: KEY, clock: () => NOW_MS, ...options });
const expectVerifyError = (token: string, code: Parameters<typeof expectTokenError>[1], twilioCode: number, options: Partial<VerifyOptions> = {}) =>
  expectTokenError(() => verify(token, options), code, twilioCode);

/** A twilio-node token minted at NOW with the given identity and grants. */
function twilioNodeToken(identity: string, grants: object[] = []): string {
  vi.spyOn(Date, 'now').mockReturnValue(NOW_MS);
  const token = new TwilioAccessToken(ACCOUNT_SID, KEY.sid, KEY.secret, { identity });
  for (const grant of grants) token.addGrant(grant as never);
  return token.toJwt();
}

afterEach(() => vi.restoreAllMocks());

describe('valid tokens', () => {
  it("grantor's own token verifies and returns its header and claims", () => {
    const { header, claims } = verify(mint());
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
    expect(claims).toMatchObject({ iss: KEY.sid, sub: ACCOUNT_SID, iat: NOW, exp: NOW + 3600, grants: { identity: 'alice', video: { room: 'lobby' } } });
  });

  it('a twilio-node token verifies', () => {
    const token = twilioNodeToken('alice', [new TwilioAccessToken.VideoGrant({ room: 'lobby' })]);
    expect(verify(token).claims.grants).toEqual({ identity: 'alice', video: { room: 'lobby' } });
  });

  it('surrounding white space (a pasted token) is tolerated', () => {
    expect(verify(`  ${mint()}\n`).claims.sub).toBe(ACCOUNT_SID);
  });
});

describe('signature', () => {
  it('a changed payload with the old signature is INVALID_SIGNATURE (20107)', () => {
    const [header, , signature] = mint().split('.');
    const forged = Buffer.from(JSON.stringify(validClaims({ grants: { identity: 'mallory', video: {} } }))).toString('base64url');
    expectVerifyError(`${header}.${forged}.${signature}`, 'INVALID_SIGNATURE', 20107);
  });

  it('a changed signature is INVALID_SIGNATURE (20107)', () => {
    const token = mint();
    const flipped = token.replace(/\.([A-Za-z0-9_-])([^.]*)$/, (_, first: string, rest: string) => `.${first === 'A' ? 'B' : 'A'}${rest}`);
    expect(flipped).not.toBe(token);
    expectVerifyError(flipped, 'INVALID_SIGNATURE', 20107);
  });

  it('a token signed with another secret for the same key is INVALID_SIGNATURE (20107)', () => {
    expectVerifyError(mint(), 'INVALID_SIGNATURE', 20107, { keys: { sid: KEY.sid, secret: OLD_KEY.secret } });
    expectVerifyError(handSign(TWILIO_HEADER, validClaims(), OLD_KEY.secret), 'INVALID_SIGNATURE', 20107);
  });
});

describe('issuer and subject', () => {
  it('an iss that is not among the keys is UNKNOWN_ISSUER (20103)', () => {
    const error = expectVerifyError(mint(), 'UNKNOWN_ISSUER', 20103, { keys: OLD_KEY });
    expect(error.message).toContain(KEY.sid);
  });

  it.each([
    ['missing', undefined],
    ['not an API key SID', 'my-app'],
  ])('an iss that is %s is UNKNOWN_ISSUER (20103)', (_, iss) => {
    expectVerifyError(handSign(TWILIO_HEADER, validClaims({ iss })), 'UNKNOWN_ISSUER', 20103);
  });

  it('a sub of another account is INVALID_SUBJECT (20103)', () => {
    expectVerifyError(mint(), 'INVALID_SUBJECT', 20103, { accountSid: sid('AC', 'f') });
  });

  it('a missing sub is INVALID_SUBJECT (20103), also when inspecting without an account', () => {
    const token = handSign(TWILIO_HEADER, validClaims({ sub: undefined }));
    expectVerifyError(token, 'INVALID_SUBJECT', 20103);
    expect(inspectAccessToken(token).problems.map((problem) => problem.code)).toContain('INVALID_SUBJECT');
  });
});

describe('time', () => {
  const exp = NOW + 600;

  it('at or after exp the token is TOKEN_EXPIRED (20104); a second before it is valid', () => {
    expect(verify(mint(600), { clock: atSecond(exp - 1) }).claims.exp).toBe(exp);
    expectVerifyError(mint(600), 'TOKEN_EXPIRED', 20104, { clock: atSecond(exp) });
    expectVerifyError(mint(600), 'TOKEN_EXPIRED', 20104, { clock: atSecond(exp + 3600) });
  });

  it('clockTolerance extends validity past exp by that many seconds', () => {
    expect(verify(mint(600), { clock: atSecond(exp + 29), clockTolerance: 30 }).claims.exp).toBe(exp);
    expectVerifyError(mint(600), 'TOKEN_EXPIRED', 20104, { clock: atSecond(exp + 30), clockTolerance: 30 });
  });

  it('before nbf the token is TOKEN_NOT_YET_VALID (20105); clockTolerance absorbs skew', () => {
    const token = mint(3600, NOW + 60);
    expectVerifyError(token, 'TOKEN_NOT_YET_VALID', 20105);
    expect(verify(token, { clockTolerance: 60 }).claims.nbf).toBe(NOW + 60);
    expect(verify(token, { clock: atSecond(NOW + 60) }).claims.nbf).toBe(NOW + 60);
  });

  it('a lifetime over 24 h is LIFETIME_TOO_LONG (20157); exactly 24 h is valid', () => {
    expectVerifyError(handSign(TWILIO_HEADER, validClaims({ exp: NOW + 86_401 })), 'LIFETIME_TOO_LONG', 20157);
    expect(verify(handSign(TWILIO_HEADER, validClaims({ exp: NOW + 86_400 }))).claims.exp).toBe(NOW + 86_400);
  });

  it('without iat (twilio-python and twilio-go tokens) the lifetime counts from nbf', () => {
    const pythonStyle = (exp: number) => handSign(TWILIO_HEADER, validClaims({ iat: undefined, nbf: NOW, exp }));
    expect(verify(pythonStyle(NOW + 3600)).claims.nbf).toBe(NOW);
    expectVerifyError(pythonStyle(NOW + 86_401), 'LIFETIME_TOO_LONG', 20157);
  });

  it('a 24 h token with an nbf in the past, as the signer mints it, verifies: the lifetime counts from issuance', () => {
    expect(verify(mint(86_400, NOW - 3600)).claims.exp).toBe(NOW + 86_400);
  });

  it.each([
    ['a missing exp', { exp: undefined }],
    ['an exp in milliseconds as a string', { exp: String(NOW_MS) }],
    ['a fractional iat', { iat: NOW + 0.5 }],
  ])('%s is INVALID_CLAIMS (20101)', (_, overrides) => {
    expectVerifyError(handSign(TWILIO_HEADER, validClaims(overrides)), 'INVALID_CLAIMS', 20101);
  });

  it('a missing jti is INVALID_CLAIMS (20101)', () => {
    expectVerifyError(handSign(TWILIO_HEADER, validClaims({ jti: undefined })), 'INVALID_CLAIMS', 20101);
  });
});

describe('header', () => {
  it.each([
    ['typ JOSE', { ...TWILIO_HEADER, typ: 'JOSE' }],
    ['no typ', { alg: 'HS256', cty: 'twilio-fpa;v=1' }],
    ['no cty', { alg: 'HS256', typ: 'JWT' }],
    ['cty twilio-fpa;v=2', { ...TWILIO_HEADER, cty: 'twilio-fpa;v=2' }],
  ])('%s is INVALID_HEADER (20102)', (_, header) => {
    expectVerifyError(handSign(header, validClaims()), 'INVALID_HEADER', 20102);
  });

  it('alg none (an unsigned token) is UNSUPPORTED_ALGORITHM (20102)', () => {
    const encode = (json: object) => Buffer.from(JSON.stringify(json)).toString('base64url');
    const unsigned = `${encode({ ...TWILIO_HEADER, alg: 'none' })}.${encode(validClaims())}.`;
    expectVerifyError(unsigned, 'UNSUPPORTED_ALGORITHM', 20102);
  });

  it.each([
    ['HS384', 'sha384'],
    ['HS512', 'sha512'],
  ] as const)('a correctly signed %s token is UNSUPPORTED_ALGORITHM (20102): Twilio accepts HS256 only', (alg, hash) => {
    expectVerifyError(handSign({ ...TWILIO_HEADER, alg }, validClaims(), KEY.secret, hash), 'UNSUPPORTED_ALGORITHM', 20102);
  });

  it('an HS256 header on an HS512 signature is INVALID_SIGNATURE', () => {
    const hs512 = handSign(TWILIO_HEADER, validClaims(), KEY.secret, 'sha512');
    expectVerifyError(hs512, 'INVALID_SIGNATURE', 20107);
  });
});

describe('malformed tokens', () => {
  const encode = (text: string) => Buffer.from(text).toString('base64url');
  it.each([
    ['an empty string', ''],
    ['one word', 'token'],
    ['two parts', 'a.b'],
    ['three parts of nonsense', 'a.b.c'],
    ['only dots', '..'],
    ['a payload that is not JSON', `${encode(JSON.stringify(TWILIO_HEADER))}.${encode('not json')}.sig`],
    ['a payload that is a JSON number', `${encode(JSON.stringify(TWILIO_HEADER))}.${encode('42')}.sig`],
    ['a payload that is a JSON array', `${encode(JSON.stringify(TWILIO_HEADER))}.${encode('[]')}.sig`],
    ['a header that is a JSON string', `${encode('"HS256"')}.${encode('{}')}.sig`],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
  ])('%s is MALFORMED_TOKEN (20101) for decode, inspect and verify', (_, token) => {
    expectTokenError(() => decodeAccessToken(token as string), 'MALFORMED_TOKEN', 20101);
    expectVerifyError(token as string, 'MALFORMED_TOKEN', 20101);
    const inspection = inspectAccessToken(token as string);
    expect(inspection.decoded).toBeUndefined();
    expect(inspection.problems.map((problem) => problem.code)).toEqual(['MALFORMED_TOKEN']);
  });
});

describe('grants', () => {
  it('a Voice grant with an identity containing a space is INVALID_VOICE_IDENTITY (31105)', () => {
    const token = twilioNodeToken('alice smith', [new TwilioAccessToken.VoiceGrant({ incomingAllow: true })]);
    expectVerifyError(token, 'INVALID_VOICE_IDENTITY', 31105);
  });

  it('a grant SID with the wrong prefix is INVALID_GRANT (20106)', () => {
    const token = twilioNodeToken('alice', [new TwilioAccessToken.ChatGrant({ serviceSid: sid('SR', 'a') })]);
    const error = expectVerifyError(token, 'INVALID_GRANT', 20106);
    expect(error.message).toContain('serviceSid');
  });

  it.each([
    ['a grants claim that is not an object', { grants: 'video' }],
    ['a video grant that is not an object', { grants: { identity: 'alice', video: 'lobby' } }],
  ])('%s is INVALID_GRANT (20106)', (_, overrides) => {
    expectVerifyError(handSign(TWILIO_HEADER, validClaims(overrides)), 'INVALID_GRANT', 20106);
  });

  it('a missing identity is INVALID_IDENTITY', () => {
    expectVerifyError(handSign(TWILIO_HEADER, validClaims({ grants: { video: {} } })), 'INVALID_IDENTITY', 54351);
  });
});

describe('decodeAccessToken', () => {
  it('reads header and claims without keys, even of an expired token with a bad signature', () => {
    const token = handSign(TWILIO_HEADER, validClaims({ exp: NOW - 10 }), 'not the secret');
    const { header, claims } = decodeAccessToken(token);
    expect(header).toEqual(TWILIO_HEADER);
    expect(claims).toEqual(validClaims({ exp: NOW - 10 }));
  });
});

describe('inspectAccessToken', () => {
  it('lists every problem at once, most fundamental first', () => {
    const grants = { identity: 'alice smith', chat: { service_sid: sid('SR', 'a') }, voice: { incoming: { allow: true } } };
    const claims = validClaims({ sub: sid('AC', 'f'), exp: NOW - 1, grants });
    const token = handSign({ ...TWILIO_HEADER, cty: 'jwt' }, claims);
    const { decoded, problems, warnings } = inspectAccessToken(token, { accountSid: ACCOUNT_SID, keys: KEY, clock: () => NOW_MS });
    expect(decoded?.claims).toEqual(claims);
    expect(problems.map((problem) => [problem.code, problem.twilioCode])).toEqual([
      ['INVALID_HEADER', 20102],
      ['INVALID_SUBJECT', 20103],
      ['TOKEN_EXPIRED', 20104],
      ['INVALID_GRANT', 20106],
      ['INVALID_VOICE_IDENTITY', 31105],
    ]);
    expect(warnings).toEqual([]);
    for (const problem of problems) expectNoSecretIn(problem.message);
  });

  it('checks the signature only when keys are given', () => {
    const token = handSign(TWILIO_HEADER, validClaims(), 'not the secret');
    expect(inspectAccessToken(token, { clock: () => NOW_MS }).problems).toEqual([]);
    expect(inspectAccessToken(token, { keys: KEY, clock: () => NOW_MS }).problems.map((problem) => problem.code)).toEqual(['INVALID_SIGNATURE']);
  });

  it('warns NO_GRANTS for a token without a product grant, which Twilio accepts but no SDK uses', () => {
    const token = twilioNodeToken('alice');
    const { problems, warnings } = inspectAccessToken(token, { accountSid: ACCOUNT_SID, keys: KEY, clock: () => NOW_MS });
    expect(problems).toEqual([]);
    expect(warnings.map((warning) => [warning.code, warning.twilioCode])).toEqual([['NO_GRANTS', 20106]]);
    expect(verify(token).claims.grants).toEqual({ identity: 'alice' });
  });
});

describe('inspectAccessToken options', () => {
  it('throws INVALID_ACCOUNT_SID for a malformed accountSid instead of blaming the token', () => {
    expectTokenError(() => inspectAccessToken(mint(), { accountSid: 'AC-not-a-sid' }), 'INVALID_ACCOUNT_SID', 20103);
  });
});

describe('verifyAccessToken options', () => {
  it('needs a valid accountSid and keys', () => {
    expectTokenError(() => verifyAccessToken(mint(), { keys: KEY } as VerifyOptions), 'INVALID_ACCOUNT_SID', 20103);
    expectTokenError(() => verifyAccessToken(mint(), { accountSid: ACCOUNT_SID } as VerifyOptions), 'INVALID_OPTIONS', undefined);
  });
});

describe('key rotation', () => {
  const rotated = createSigner({ accountSid: ACCOUNT_SID, keys: [KEY, OLD_KEY], clock: () => NOW_MS });
  const oldSigner = createSigner({ accountSid: ACCOUNT_SID, keys: OLD_KEY, clock: () => NOW_MS });
  const issue = (from = rotated) => from.sign({ identity: 'alice', grants: { video: {} } });

  it('the signer signs with the first key', () => {
    const issued = issue();
    expect(issued.keySid).toBe(KEY.sid);
    expect(readToken(issued.token).claims.iss).toBe(KEY.sid);
    expect(verify(issued.token, { keys: KEY }).claims.iss).toBe(KEY.sid);
  });

  it('a token signed by the old key verifies while that key is in keys, and is UNKNOWN_ISSUER once it is removed', () => {
    const oldToken = issue(oldSigner).token;
    expect(verify(oldToken, { keys: [KEY, OLD_KEY] }).claims.iss).toBe(OLD_KEY.sid);
    expectVerifyError(oldToken, 'UNKNOWN_ISSUER', 20103, { keys: [KEY] });
  });

  it('keySids lists the SIDs, signing key first, and no secret is reachable from the signer', () => {
    expect(rotated.keySids).toEqual([KEY.sid, OLD_KEY.sid]);
    expectNoSecretIn(JSON.stringify(rotated));
    expectNoSecretIn(inspect(rotated, { depth: null, showHidden: true }));
    expectNoSecretIn(inspect(issue(), { depth: null, showHidden: true }));
  });
});

describe('bad options and hostile claims are refused, never a pass or a crash', () => {
  it.each([Number.NaN, -1, 1.5, '30', Infinity])('a clockTolerance of %s is INVALID_OPTIONS, never a pass for an expired token', (clockTolerance) => {
    expectTokenError(() => inspectAccessToken(mint(), { clockTolerance: clockTolerance as number }), 'INVALID_OPTIONS', undefined);
  });

  it('a clock that returns no number is INVALID_OPTIONS', () => {
    expectTokenError(() => inspectAccessToken(mint(), { clock: () => Number.NaN }), 'INVALID_OPTIONS', undefined);
    expectTokenError(() => inspectAccessToken(mint(), { clock: (() => 'now') as unknown as () => number }), 'INVALID_OPTIONS', undefined);
  });

  it.each(['__proto__', 'valueOf', 'constructor', 'toString'])('a grant named %s in an untrusted token is ignored, not a crash', (key) => {
    const grants = JSON.parse(`{"identity":"alice","video":{"room":"r1"},"${key}":{}}`);
    const token = handSign(TWILIO_HEADER, validClaims({ grants }));
    const { problems } = inspectAccessToken(token, { accountSid: ACCOUNT_SID, keys: KEY, clock: () => NOW_MS });
    expect(problems).toEqual([]);
  });
});

describe('what verify keeps between calls', () => {
  it('sees a key whose secret changed in the same options object', () => {
    const keys = { ...KEY };
    const options = { accountSid: ACCOUNT_SID, keys, clock: () => NOW_MS };
    const token = mint();
    expect(verifyAccessToken(token, options).claims.sub).toBe(ACCOUNT_SID);
    keys.secret = 'another-secret-of-32-characters-x';
    expectTokenError(() => verifyAccessToken(token, options), 'INVALID_SIGNATURE', 20107);
    keys.secret = KEY.secret;
    expect(verifyAccessToken(token, options).claims.sub).toBe(ACCOUNT_SID);
  });

  it('sees a key added to the same keys list', () => {
    const keys = [OLD_KEY];
    const token = mint();
    expectTokenError(() => verify(token, { keys }), 'UNKNOWN_ISSUER', 20103);
    keys.push(KEY);
    expect(verify(token, { keys }).claims.iss).toBe(KEY.sid);
  });

  it('hands out a header of its own each time', () => {
    const token = mint();
    const first = decodeAccessToken(token).header;
    first.alg = 'none';
    expect(decodeAccessToken(token).header.alg).toBe('HS256');
    expect(verify(token).header.alg).toBe('HS256');
  });
});

describe('claims past the Date range', () => {
  const MIN = -Number.MAX_SAFE_INTEGER;
  const MAX = Number.MAX_SAFE_INTEGER;

  it('an exp before the Date range is TOKEN_EXPIRED, an AccessTokenError rather than a RangeError', () => {
    expectVerifyError(handSign(TWILIO_HEADER, validClaims({ exp: MIN })), 'TOKEN_EXPIRED', 20104);
    const { problems } = inspectAccessToken(handSign(TWILIO_HEADER, validClaims({ exp: MIN })), { clock: () => NOW_MS });
    expect(problems[0]!.message).toContain(String(MIN));
  });

  it('an nbf past the Date range is TOKEN_NOT_YET_VALID', () => {
    expectVerifyError(handSign(TWILIO_HEADER, validClaims({ nbf: MAX })), 'TOKEN_NOT_YET_VALID', 20105);
  });

  it('an exp past the Date range is LIFETIME_TOO_LONG', () => {
    expectVerifyError(handSign(TWILIO_HEADER, validClaims({ exp: MAX })), 'LIFETIME_TOO_LONG', 20157);
  });
});

describe('crit (RFC 7515 §4.1.11)', () => {
  it.each([[['exp']], [['b64']], [[]], ['b64']])('a header with crit %j is INVALID_HEADER: grantor understands no extension', (crit) => {
    expectVerifyError(handSign({ ...TWILIO_HEADER, crit, b64: false }, validClaims()), 'INVALID_HEADER', 20102);
  });
});
