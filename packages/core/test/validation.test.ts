/**
 * Every mint-time rule: each failure asserts grantor's `code` and the Twilio error it prevents
 * (`twilioCode`), and expectTokenError checks that no message names a secret.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AccessToken,
  AccessTokenError,
  createSigner,
  type Grant,
  type GrantsInput,
  PlaybackGrant,
  type SignOptions,
  VideoGrant,
  VoiceGrant,
} from '@grantor/core';
import { ACCOUNT_SID, expectNoSecretIn, expectTokenError, KEY, NOW, NOW_MS, OLD_KEY, readToken, SECRETS, sid, TwilioAccessToken } from './support.js';

const signer = createSigner({ accountSid: ACCOUNT_SID, keys: KEY, clock: () => NOW_MS });
const sign = (overrides: Partial<SignOptions> = {}) => signer.sign({ identity: 'alice', grants: { video: {} }, ...overrides });
const newToken = (options: Partial<ConstructorParameters<typeof AccessToken>[3]> = {}) =>
  new AccessToken(ACCOUNT_SID, KEY.sid, KEY.secret, { identity: 'alice', ...options });
const signerWith = (options: Record<string, unknown>) => () => createSigner({ accountSid: ACCOUNT_SID, keys: KEY, ...options });

afterEach(() => vi.restoreAllMocks());

describe('account SID', () => {
  it.each([undefined, '', `AC${'a'.repeat(31)}`, `AC${'a'.repeat(33)}`, `AC${'g'.repeat(32)}`, `ac${'a'.repeat(32)}`, KEY.sid, 42])(
    '%j is refused with INVALID_ACCOUNT_SID (20103) by AccessToken and createSigner',
    (accountSid) => {
      expectTokenError(() => new AccessToken(accountSid as string, KEY.sid, KEY.secret, { identity: 'alice' }), 'INVALID_ACCOUNT_SID', 20103);
      expectTokenError(() => createSigner({ accountSid: accountSid as string, keys: KEY }), 'INVALID_ACCOUNT_SID', 20103);
    },
  );

  it('accepts upper-case hex', () => {
    expect(createSigner({ accountSid: `AC${'A'.repeat(32)}`, keys: KEY }).accountSid).toBe(`AC${'A'.repeat(32)}`);
  });

  it('is re-checked at toJwt() after the field is changed', () => {
    const token = newToken();
    token.accountSid = 'ACnope';
    expectTokenError(() => token.toJwt(), 'INVALID_ACCOUNT_SID', 20103);
  });
});

describe('API key SID', () => {
  it.each([undefined, '', `SK${'b'.repeat(31)}`, `SK${'z'.repeat(32)}`, 'b'.repeat(32), ACCOUNT_SID, 7])(
    '%j is refused with INVALID_API_KEY_SID (20103)',
    (keySid) => {
      expectTokenError(() => new AccessToken(ACCOUNT_SID, keySid as string, KEY.secret, { identity: 'alice' }), 'INVALID_API_KEY_SID', 20103);
      expectTokenError(() => createSigner({ accountSid: ACCOUNT_SID, keys: { sid: keySid as string, secret: KEY.secret } }), 'INVALID_API_KEY_SID', 20103);
    },
  );
});

describe('API key secret', () => {
  const secretLookalike = { toString: () => KEY.secret };

  it.each([
    ['an empty string', ''],
    ['undefined', undefined],
    ['null', null],
    ['a number', 12345],
    ['a Buffer', Buffer.from(KEY.secret)],
    ['an object whose toString returns the secret', secretLookalike],
  ])('%s is refused with INVALID_API_KEY_SECRET (20107), and the message shows no secret', (_, secret) => {
    const fromToken = expectTokenError(() => new AccessToken(ACCOUNT_SID, KEY.sid, secret as string, { identity: 'alice' }), 'INVALID_API_KEY_SECRET', 20107);
    const fromSigner = expectTokenError(
      () => createSigner({ accountSid: ACCOUNT_SID, keys: { sid: KEY.sid, secret: secret as string } }),
      'INVALID_API_KEY_SECRET',
      20107,
    );
    expect(fromToken.message).toContain(KEY.sid);
    expect(fromSigner.message).toContain(KEY.sid);
  });

  it('a SID-shaped value is shown in an error, so a wrong prefix is easy to spot', () => {
    const error = expectTokenError(() => sign({ grants: { chat: { serviceSid: sid('RL', 'a') } } }), 'INVALID_GRANT', 20106);
    expect(error.message).toContain(sid('RL', 'a'));
  });

  it('the secret of a token being minted appears in no error, however it fails', () => {
    // The length of a real Twilio API key secret.
    const THIRTY_TWO_CHARACTER_SECRET = 'Zq8-vLx7'.repeat(4);
    const failures: Array<() => unknown> = [
      () => sign({ identity: '' }),
      () => sign({ identity: 'a b', grants: { voice: {} } }),
      () => sign({ ttl: 0 }),
      () => sign({ nbf: -1 }),
      () => sign({ jti: '' }),
      () => sign({ grants: {} }),
      () => sign({ grants: { chat: { serviceSid: KEY.secret } } }),
      () => createSigner({ accountSid: KEY.secret, keys: KEY }),
      () => createSigner({ accountSid: ACCOUNT_SID, keys: { sid: KEY.secret, secret: KEY.secret } }),
      () => createSigner({ accountSid: ACCOUNT_SID, keys: KEY, region: THIRTY_TWO_CHARACTER_SECRET }),
      () => sign({ identity: THIRTY_TWO_CHARACTER_SECRET, grants: { voice: {} } }),
      () => newToken().toJwt('HS512'),
      () => newToken({ region: 'nowhere' }).toJwt(),
      () => createSigner({ accountSid: ACCOUNT_SID, keys: [KEY, KEY] }),
      () => createSigner({ accountSid: ACCOUNT_SID, keys: [KEY, { sid: OLD_KEY.sid, secret: '' }] }),
    ];
    for (const failure of failures) {
      let thrown: unknown;
      try {
        failure();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AccessTokenError);
      // A secret in a SID option, or any 32+ character value, is described by its length only.
      expectNoSecretIn(inspect(thrown, { depth: 5 }), [...SECRETS, THIRTY_TWO_CHARACTER_SECRET]);
    }
  });

  it('is not enumerable on an AccessToken, so logging or serializing the token object never prints it', () => {
    const token = newToken();
    expect(token.secret).toBe(KEY.secret);
    expectNoSecretIn(JSON.stringify(token));
    expectNoSecretIn(inspect(token, { showHidden: false }));
    expectNoSecretIn(String(token));
  });
});

describe('identity', () => {
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a non-integer number', 1.5],
    ['NaN', Number.NaN],
    ['a boolean', true],
    ['an object', { id: 1 }],
    ['an array', ['alice']],
    ['null', null],
    ['257 characters', 'x'.repeat(257)],
  ])('%s is refused with INVALID_IDENTITY (54351) by sign(), the constructor and toJwt()', (_, identity) => {
    expectTokenError(() => sign({ identity: identity as string }), 'INVALID_IDENTITY', 54351);
    expectTokenError(() => newToken({ identity: identity as string }), 'INVALID_IDENTITY', 54351);
    const token = newToken();
    token.identity = identity as string;
    expectTokenError(() => token.toJwt(), 'INVALID_IDENTITY', 54351);
  });

  it('a missing options object is refused with INVALID_IDENTITY', () => {
    expectTokenError(() => new AccessToken(ACCOUNT_SID, KEY.sid, KEY.secret, undefined as never), 'INVALID_IDENTITY', 54351);
  });

  it('256 characters of any kind are accepted', () => {
    const identity = `${'é'.repeat(128)}${'x'.repeat(128)}`;
    expect(readToken(sign({ identity }).token).claims.grants.identity).toBe(identity);
  });

  it.each([
    [42, '42'],
    [-3, '-3'],
    // twilio-node refuses 0 (falsy); it is a valid integer ID, so grantor accepts it.
    [0, '0'],
  ])('the integer %j becomes the string %j', (identity, expected) => {
    expect(sign({ identity }).identity).toBe(expected);
    expect(readToken(sign({ identity }).token).claims.grants.identity).toBe(expected);
    expect(readToken(newToken({ identity }).toJwt()).claims.grants.identity).toBe(expected);
  });
});

describe('Voice identity (31105), checked only when a Voice grant is present', () => {
  it.each([
    ['a space', 'alice smith'],
    ['an e-mail address', 'user@example.com'],
    ['a hyphen', 'user-1'],
    ['non-ASCII letters', 'José'],
    ['122 characters', 'a'.repeat(122)],
    ['a negative integer', -3],
  ])('%s is refused with INVALID_VOICE_IDENTITY', (_, identity) => {
    expectTokenError(() => sign({ identity, grants: { voice: { incomingAllow: true } } }), 'INVALID_VOICE_IDENTITY', 31105);
    expectTokenError(() => newToken({ identity }).addGrant(new VoiceGrant()).toJwt(), 'INVALID_VOICE_IDENTITY', 31105);
  });

  it('letters, digits and underscores up to 121 characters are accepted', () => {
    for (const identity of ['user_42', 'a'.repeat(121), 42]) {
      expect(sign({ identity, grants: { voice: {} } }).grantKeys).toEqual(['voice']);
    }
  });

  it('without a Voice grant the same identities are fine', () => {
    for (const identity of ['alice smith', 'user@example.com', 'José', 'a'.repeat(122)]) {
      expect(sign({ identity, grants: { video: {}, chat: {} } }).identity).toBe(identity);
    }
  });
});

describe('ttl', () => {
  it.each([0, -1, 1.5, '3600', '1h', Number.NaN, Number.POSITIVE_INFINITY])('%j is refused with INVALID_TTL (20104)', (ttl) => {
    expectTokenError(() => sign({ ttl: ttl as number }), 'INVALID_TTL', 20104);
    expectTokenError(() => newToken({ ttl: ttl as number }).toJwt(), 'INVALID_TTL', 20104);
  });

  it('86401 s is refused with TTL_TOO_LONG (20157), as Twilio would; 86400 s and 1 s are accepted', () => {
    expectTokenError(() => sign({ ttl: 86_401 }), 'TTL_TOO_LONG', 20157);
    expectTokenError(() => newToken({ ttl: 86_401 }).toJwt(), 'TTL_TOO_LONG', 20157);
    for (const ttl of [1, 86_400]) {
      const { claims } = readToken(sign({ ttl }).token);
      expect(claims.exp - claims.iat).toBe(ttl);
    }
  });

  it('undefined and null mean the default ttl, as in twilio-node', () => {
    expect(sign({ ttl: undefined }).ttl).toBe(3600);
    expect(sign({ ttl: null as never }).ttl).toBe(3600);
    const { claims } = readToken(newToken({ ttl: null as never }).toJwt());
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('ttl 0 on an AccessToken is refused instead of silently becoming 3600 as in twilio-node', () => {
    expectTokenError(() => newToken({ ttl: 0 }).toJwt(), 'INVALID_TTL', 20104);
    const twilioToken = new TwilioAccessToken(ACCOUNT_SID, KEY.sid, KEY.secret, { identity: 'alice', ttl: 0 });
    const { claims } = readToken(twilioToken.toJwt());
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it("a signer's maxTtl caps sign(): above it TTL_TOO_LONG, at it accepted", () => {
    const capped = createSigner({ accountSid: ACCOUNT_SID, keys: KEY, maxTtl: 600 });
    const error = expectTokenError(() => capped.sign({ identity: 'alice', grants: { video: {} }, ttl: 601 }), 'TTL_TOO_LONG', 20157);
    expect(error.message).toContain('maxTtl');
    expect(capped.sign({ identity: 'alice', grants: { video: {} }, ttl: 600 }).ttl).toBe(600);
    expect(capped.maxTtl).toBe(600);
  });

  it.each([0, 86_401, 1.5, '600'])('maxTtl %j is refused with INVALID_OPTIONS', (maxTtl) => {
    expectTokenError(signerWith({ maxTtl }), 'INVALID_OPTIONS', undefined);
  });

  it('defaultTtl is 3600, applies when sign() gets no ttl, and follows a smaller maxTtl', () => {
    expect(sign().ttl).toBe(3600);
    expect(signer.defaultTtl).toBe(3600);
    const short = createSigner({ accountSid: ACCOUNT_SID, keys: KEY, defaultTtl: 900 });
    expect(short.sign({ identity: 'alice', grants: { video: {} } }).ttl).toBe(900);
    expect(createSigner({ accountSid: ACCOUNT_SID, keys: KEY, maxTtl: 600 }).defaultTtl).toBe(600);
  });

  it('an invalid defaultTtl fails at createSigner, not at the first request', () => {
    expectTokenError(signerWith({ defaultTtl: 0 }), 'INVALID_TTL', 20104);
    expectTokenError(signerWith({ defaultTtl: '1h' }), 'INVALID_TTL', 20104);
    expectTokenError(signerWith({ defaultTtl: 1200, maxTtl: 600 }), 'TTL_TOO_LONG', 20157);
  });
});

describe('nbf', () => {
  it.each([1.5, -1, String(NOW), Number.NaN, null])('%j is refused with INVALID_NBF (20105)', (nbf) => {
    expectTokenError(() => sign({ nbf: nbf as number }), 'INVALID_NBF', 20105);
    expectTokenError(() => newToken({ nbf: nbf as number }).toJwt(), 'INVALID_NBF', 20105);
  });

  it('an nbf at or after exp is refused: the token would never be valid', () => {
    expectTokenError(() => sign({ ttl: 60, nbf: NOW + 60 }), 'INVALID_NBF', 20105);
    expectTokenError(() => sign({ ttl: 60, nbf: NOW + 61 }), 'INVALID_NBF', 20105);
    expect(readToken(sign({ ttl: 60, nbf: NOW + 59 }).token).claims.nbf).toBe(NOW + 59);
  });

  it('is omitted by default, and 0 or a past time is written as given', () => {
    expect(readToken(sign().token).claims).not.toHaveProperty('nbf');
    expect(readToken(sign({ nbf: 0 }).token).claims.nbf).toBe(0);
    expect(readToken(sign({ nbf: NOW - 10 }).token).claims.nbf).toBe(NOW - 10);
  });
});

describe('region', () => {
  it.each(['foo', 'US1', 'us', 'us123', ' us1', 'üs1', {}, 1, 0, true])('%j is refused with INVALID_REGION (20101)', (region) => {
    expectTokenError(signerWith({ region }), 'INVALID_REGION', 20101);
    expectTokenError(() => newToken({ region: region as string }).toJwt(), 'INVALID_REGION', 20101);
  });

  it.each(['us1', 'ie1', 'au1', 'de1', 'jp1', 'us12'])('%s is written to the twr header', (region) => {
    const regional = createSigner({ accountSid: ACCOUNT_SID, keys: KEY, region });
    expect(readToken(regional.sign({ identity: 'alice', grants: { video: {} } }).token).header.twr).toBe(region);
    expect(readToken(newToken({ region }).toJwt()).header.twr).toBe(region);
  });

  it.each(['', undefined, null])('%j means no region: no twr header', (region) => {
    expect(
      readToken(createSigner({ accountSid: ACCOUNT_SID, keys: KEY, region: region as string }).sign({ identity: 'a', grants: { video: {} } }).token).header,
    ).not.toHaveProperty('twr');
    expect(readToken(newToken({ region: region as string }).toJwt()).header).not.toHaveProperty('twr');
  });
});

describe('grant SIDs', () => {
  const hex = (prefix: string) => sid(prefix, 'd');
  const fields = [
    { grant: 'chat', option: 'serviceSid', prefix: 'IS' },
    { grant: 'chat', option: 'deploymentRoleSid', prefix: 'RL' },
    { grant: 'chat', option: 'pushCredentialSid', prefix: 'CR' },
    { grant: 'voice', option: 'outgoingApplicationSid', prefix: 'AP' },
    { grant: 'voice', option: 'pushCredentialSid', prefix: 'CR' },
    { grant: 'sync', option: 'serviceSid', prefix: 'IS' },
    { grant: 'taskRouter', option: 'workspaceSid', prefix: 'WS' },
    { grant: 'taskRouter', option: 'workerSid', prefix: 'WK' },
  ] as const;

  describe.each(fields)('$grant.$option ($prefix)', ({ grant, option, prefix }) => {
    const withValue = (value: unknown) => ({ [grant]: { [option]: value } }) as GrantsInput;

    it.each([
      ['another prefix', hex(prefix === 'IS' ? 'RL' : 'IS')],
      ['a lower-case prefix', hex(prefix.toLowerCase())],
      ['31 hex digits', hex(prefix).slice(0, -1)],
      ['non-hex digits', `${prefix}${'x'.repeat(32)}`],
      ['a number', 42],
    ])('%s is refused with INVALID_GRANT (20106)', (_, value) => {
      const error = expectTokenError(() => sign({ grants: withValue(value) }), 'INVALID_GRANT', 20106);
      expect(error.message).toContain(option);
    });

    it(`a "${prefix}" SID is accepted, and an empty value is left out`, () => {
      expect(sign({ grants: withValue(hex(prefix)) }).token).toContain('.');
      expect(sign({ grants: withValue('') }).token).toContain('.');
    });
  });

  it.each([
    ['chat.endpointId over 256 characters', { chat: { endpointId: 'e'.repeat(257) } }],
    ['voice.endpointId that is not a string', { voice: { endpointId: 5 } }],
    ['video.room over 128 characters', { video: { room: 'r'.repeat(129) } }],
    ['taskRouter.role that is not a string', { taskRouter: { role: ['admin'] } }],
    ['voice.incomingAllow that is not a boolean', { voice: { incomingAllow: 'yes' } }],
    ['voice.outgoingApplicationParams that is an array', { voice: { outgoingApplicationSid: hex('AP'), outgoingApplicationParams: ['a'] } }],
    ['voice.outgoingApplicationParams that is a string', { voice: { outgoingApplicationSid: hex('AP'), outgoingApplicationParams: 'a=1' } }],
  ])('%s is refused with INVALID_GRANT (20106)', (_, grants) => {
    expectTokenError(() => sign({ grants: grants as GrantsInput }), 'INVALID_GRANT', 20106);
  });
});

describe('playback', () => {
  it.each([
    ['a string', 'VJ123'],
    ['a number', 5],
  ])('%s in a GrantsSpec is refused with INVALID_GRANT (20106)', (_, playback) => {
    expectTokenError(() => sign({ grants: { playback } as unknown as GrantsInput }), 'INVALID_GRANT', 20106);
  });

  it.each([
    ['a string', 'VJ123'],
    ['an array', [{ playbackUrl: 'x' }]],
  ])('%s as a PlaybackGrant is refused with INVALID_GRANT (20106)', (_, grant) => {
    expectTokenError(() => sign({ grants: [new PlaybackGrant({ grant: grant as never })] }), 'INVALID_GRANT', 20106);
    expectTokenError(() => sign({ grants: { playback: grant as never } }), 'INVALID_GRANT', 20106);
  });

  it('an object is passed through unchanged', () => {
    const playback = { requestCredentials: null, playbackUrl: 'https://example.invalid/live', playerStreamerSid: sid('VJ', 'e') };
    expect(readToken(sign({ grants: { playback } }).token).claims.grants.player).toEqual(playback);
  });
});

describe('grants', () => {
  it.each([
    ['an empty list', []],
    ['an empty GrantsSpec', {}],
    ['a GrantsSpec whose grants are all undefined', { video: undefined, chat: undefined }],
    ['only a custom non-product grant', [{ key: 'custom', toPayload: () => ({}) } as unknown as Grant]],
    ['undefined', undefined],
  ])('sign() with %s is refused with NO_GRANTS (20106): no Twilio SDK accepts such a token', (_, grants) => {
    expectTokenError(() => sign({ grants: grants as GrantsInput }), 'NO_GRANTS', 20106);
  });

  it('AccessToken.toJwt() without grants is allowed, as in twilio-node', () => {
    expect(readToken(newToken().toJwt()).claims.grants).toEqual({ identity: 'alice' });
  });

  it('an unknown GrantsSpec key is refused with INVALID_GRANT, naming the known ones', () => {
    const error = expectTokenError(() => sign({ grants: { rooms: { room: 'x' } } as unknown as GrantsInput }), 'INVALID_GRANT', 20106);
    expect(error.message).toContain('"rooms"');
    expect(error.message).toContain('taskRouter');
  });

  it.each([
    ['a string', 'video'],
    ['a number', 1],
  ])('grants given as %s are refused with INVALID_GRANT', (_, grants) => {
    expectTokenError(() => sign({ grants: grants as unknown as GrantsInput }), 'INVALID_GRANT', 20106);
  });

  it.each([
    ['an empty object', {}],
    ['null', null],
    ['a string', 'video'],
    ['an object without toPayload', { key: 'video' }],
  ])('addGrant of %s is refused with INVALID_GRANT', (_, grant) => {
    expectTokenError(() => newToken().addGrant(grant as unknown as Grant), 'INVALID_GRANT', 20106);
    expectTokenError(() => sign({ grants: [grant as unknown as Grant] }), 'INVALID_GRANT', 20106);
  });

  it("accepts twilio-node's own grant objects and custom { key, toPayload } grants, as twilio-node does", () => {
    const token = newToken()
      .addGrant(new TwilioAccessToken.VideoGrant({ room: 'lobby' }) as unknown as Grant)
      .addGrant({ key: 'custom', toPayload: () => ({ level: 2 }) } as unknown as Grant);
    expect(readToken(token.toJwt()).claims.grants).toEqual({ identity: 'alice', video: { room: 'lobby' }, custom: { level: 2 } });
  });

  it('a later grant with the same key replaces the earlier value in its first position', () => {
    const token = newToken()
      .addGrant(new VideoGrant({ room: 'first' }))
      .addGrant(new VoiceGrant({ incomingAllow: true }))
      .addGrant(new VideoGrant({ room: 'second' }));
    expect(JSON.stringify(readToken(token.toJwt()).claims.grants)).toBe('{"identity":"alice","video":{"room":"second"},"voice":{"incoming":{"allow":true}}}');
    expect(sign({ grants: [new VideoGrant({ room: 'a' }), new VideoGrant({ room: 'b' })] }).grantKeys).toEqual(['video']);
  });
});

describe('keys', () => {
  it('an empty key list is refused with INVALID_API_KEY_SID', () => {
    expectTokenError(() => createSigner({ accountSid: ACCOUNT_SID, keys: [] }), 'INVALID_API_KEY_SID', 20103);
  });

  it('a key listed twice is refused with INVALID_API_KEY_SID, naming the SID only', () => {
    const error = expectTokenError(() => createSigner({ accountSid: ACCOUNT_SID, keys: [KEY, { ...KEY }] }), 'INVALID_API_KEY_SID', 20103);
    expect(error.message).toContain(KEY.sid);
  });

  it('missing keys, or a bad entry among good ones, fail at createSigner', () => {
    expectTokenError(() => createSigner({ accountSid: ACCOUNT_SID } as never), 'INVALID_API_KEY_SID', 20103);
    expectTokenError(() => createSigner({ accountSid: ACCOUNT_SID, keys: [KEY, null as never] }), 'INVALID_API_KEY_SID', 20103);
    expectTokenError(() => createSigner({ accountSid: ACCOUNT_SID, keys: [KEY, { sid: OLD_KEY.sid, secret: '' }] }), 'INVALID_API_KEY_SECRET', 20107);
  });

  it('bad createSigner options are refused with INVALID_OPTIONS', () => {
    expectTokenError(() => createSigner(undefined as never), 'INVALID_OPTIONS', undefined);
    expectTokenError(signerWith({ clock: 1_700_000_000_000 }), 'INVALID_OPTIONS', undefined);
  });
});

describe('jti', () => {
  it.each([
    ['an empty string', ''],
    ['257 characters', 'j'.repeat(257)],
    ['a number', 5],
  ])('%s is refused with INVALID_JTI (20101)', (_, jti) => {
    expectTokenError(() => sign({ jti: jti as string }), 'INVALID_JTI', 20101);
    expectTokenError(() => newToken({ jti: jti as string }).toJwt(), 'INVALID_JTI', 20101);
  });

  it('a given jti is written as given', () => {
    expect(sign({ jti: 'session-1' }).jti).toBe('session-1');
    expect(readToken(sign({ jti: 'session-1' }).token).claims.jti).toBe('session-1');
  });

  it('the default jti is unique per token even within one second, and names the key and the issue time', () => {
    const jtis = Array.from({ length: 50 }, () => sign().jti);
    expect(new Set(jtis).size).toBe(50);
    for (const jti of jtis) expect(jti).toMatch(new RegExp(`^${KEY.sid}-${NOW}-[0-9a-f]{24}$`));
    vi.spyOn(Date, 'now').mockReturnValue(NOW_MS);
    const first = readToken(newToken().toJwt()).claims.jti;
    expect(readToken(newToken().toJwt()).claims.jti).not.toBe(first);
  });
});

describe('the clock', () => {
  it("is read once per signed token, and iat, exp, jti and the result's dates agree", () => {
    const clock = vi.fn(() => NOW_MS);
    const clocked = createSigner({ accountSid: ACCOUNT_SID, keys: KEY, clock });
    const issued = clocked.sign({ identity: 'alice', grants: { video: {} }, ttl: 600 });
    expect(clock).toHaveBeenCalledTimes(1);
    const { claims } = readToken(issued.token);
    expect(claims).toMatchObject({ iat: NOW, exp: NOW + 600 });
    expect(issued.jti.startsWith(`${KEY.sid}-${NOW}-`)).toBe(true);
    expect(issued.issuedAt.getTime()).toBe(NOW * 1000);
    expect(issued.expiresAt.getTime()).toBe((NOW + 600) * 1000);
  });

  it('AccessToken.toJwt() reads Date.now once', () => {
    const now = vi.spyOn(Date, 'now').mockReturnValue(NOW_MS);
    const token = newToken();
    now.mockClear();
    const { claims } = readToken(token.toJwt());
    expect(now).toHaveBeenCalledTimes(1);
    expect(claims.iat).toBe(NOW);
    expect(claims.jti).toContain(`-${NOW}-`);
  });
});

it('every mint-time error answers 500 in a token route: the app, not the client, is wrong', () => {
  expect(expectTokenError(() => sign({ ttl: 0 }), 'INVALID_TTL', 20104).status).toBe(500);
  expect(expectTokenError(() => sign({ grants: [] }), 'NO_GRANTS', 20106).status).toBe(500);
});

describe('grant names from Object.prototype', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty'])('grants { %s: {} } is an unknown grant, not a crash or a foreign grant', (name) => {
    expectTokenError(() => sign({ grants: { video: {}, [name]: {} } as never }), 'INVALID_GRANT', 20106);
  });
});

describe('a SID pasted with whitespace around it (a .env line with a trailing space)', () => {
  it('is refused and named as such, SID shown, in the account and key messages', () => {
    const sid = `AC${'a'.repeat(32)}`;
    expect(() => createSigner({ accountSid: `${sid} `, keys: KEY })).toThrow(`got "${sid} ", a SID with whitespace around it`);
    expect(() => createSigner({ accountSid: sid, keys: { sid: `\n${KEY.sid}`, secret: 's' } })).toThrow('a SID with whitespace around it');
  });
});
