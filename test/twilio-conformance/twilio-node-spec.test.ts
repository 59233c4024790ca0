/**
 * twilio-node's own AccessToken spec (spec/unit/jwt/AccessToken.spec.js, 33 cases), ported to
 * grantor's AccessToken. Where grantor deliberately differs, the case asserts grantor's behaviour,
 * says why in its name, and shows what twilio-node does instead. Every case runs with grantor on
 * every runtime (test/runtimes), as calls: tokens, grants and property changes are data, built and
 * signed inside the runtime; twilio-node, jsonwebtoken and the assertions stay here on Node.
 */
import { describe, expect, it } from 'vitest';
import { readToken, sid, TwilioAccessToken, verifyWithJsonwebtoken } from '../../packages/core/test/support.js';
import type { Call, Changes, GrantCall, JwtStep, Outcome } from '../runtimes/calls.js';
import { describeEachRuntime, expectTokenErrorOutcome, type RuntimeHandle, valueOf } from '../runtimes/each-runtime.js';

// twilio-node's spec fixtures; 'AC' + 32 × 'a' is valid hex, so grantor accepts it as it is.
const accountSid = `AC${'a'.repeat(32)}`;
const keySid = 'SKb5aed9ca12bf5890f37930e63cad6d38';
const secret = 'secret';
const headerSecret = 'aTBl1PhJnykIjWll4TOiXKtD1ugxiz6f';
const identity = 'ID@example.com';

const CHAT_SERVICE = sid('IS', 'a');
const SYNC_SERVICE = sid('IS', 'a');
const DEPLOYMENT_ROLE = sid('RL', 'a');
const PUSH_CREDENTIAL = sid('CR', 'a');
const WORKSPACE = sid('WS', '0');
const WORKER = sid('WK', '0');

const FULL_CHAT_OPTIONS = { serviceSid: CHAT_SERVICE, endpointId: 'endpointId', pushCredentialSid: PUSH_CREDENTIAL, deploymentRoleSid: DEPLOYMENT_ROLE };
const FULL_CHAT_PAYLOAD = {
  service_sid: CHAT_SERVICE,
  deployment_role_sid: DEPLOYMENT_ROLE,
  endpoint_id: 'endpointId',
  push_credential_sid: PUSH_CREDENTIAL,
};

type AccessTokenCall = Extract<Call, { op: 'accessToken' }>;

/** Property changes as calls carry them: undefined values become `unset`. */
const changes = (values: Record<string, unknown>): Changes => ({
  set: Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)),
  unset: Object.keys(values).filter((key) => values[key] === undefined),
});

/** `new AccessToken(accountSid, keySid, key, { identity, ...options })` with grants (as `AccessToken.XGrant`), then one toJwt() per step. */
const newToken = (options: Record<string, unknown> = {}, key = secret, extra: Partial<AccessTokenCall> = {}): AccessTokenCall => ({
  op: 'accessToken',
  accountSid,
  keySid,
  secret: key,
  options: { identity, ...options },
  grantClasses: 'statics',
  ...extra,
});

/** The outcome of each toJwt() step; a constructor error fails the test. */
async function jwts(grantor: RuntimeHandle, call: AccessTokenCall): Promise<Outcome<string>[]> {
  return grantor.value<Outcome<string>[]>(call);
}

/** The token of the only toJwt(). */
async function jwt(grantor: RuntimeHandle, call: AccessTokenCall): Promise<string> {
  const [only] = await jwts(grantor, { steps: [{}], ...call });
  return valueOf(only!, 'toJwt()');
}

/** Signs with grantor in the runtime and verifies with jsonwebtoken on Node, as twilio-node's spec does. */
const verified = async (grantor: RuntimeHandle, call: AccessTokenCall) => verifyWithJsonwebtoken(await jwt(grantor, call), secret);

/** A grant's payload after each change: `[changes, expected payload]` pairs, applied in order to one grant. */
async function expectPayloadsAfter(grantor: RuntimeHandle, kind: GrantCall['kind'], sequence: [Record<string, unknown>, object][]): Promise<void> {
  const payloads = await grantor.value<{ payload: unknown }[]>({
    op: 'grantPayloads',
    kind,
    grantClasses: 'statics',
    steps: sequence.map(([values]) => changes(values)),
  });
  expect(payloads.map(({ payload }) => payload)).toEqual(sequence.map(([, expected]) => expected));
}

/** One grant's payload. */
const payloadOf = async (grantor: RuntimeHandle, kind: GrantCall['kind'], options?: Record<string, unknown>) =>
  (await grantor.value<{ payload: unknown }[]>({ op: 'grantPayloads', kind, grantClasses: 'statics', options, steps: [{}] }))[0]!.payload;

describeEachRuntime("twilio-node's AccessToken spec", (grantor) => {
  describe('constructor', () => {
    const absent = undefined as unknown as string;

    it('1. a missing accountSid throws AccessTokenError INVALID_ACCOUNT_SID (twilio-node throws a plain Error)', async () => {
      expectTokenErrorOutcome(await grantor.outcome(newToken({}, secret, { accountSid: absent })), 'INVALID_ACCOUNT_SID', 20103);
      expect(() => new TwilioAccessToken(absent, keySid, secret, { identity })).toThrow('accountSid is required');
    });

    it('2. a missing keySid throws AccessTokenError INVALID_API_KEY_SID (twilio-node throws a plain Error)', async () => {
      expectTokenErrorOutcome(await grantor.outcome(newToken({}, secret, { keySid: absent })), 'INVALID_API_KEY_SID', 20103);
      expect(() => new TwilioAccessToken(accountSid, absent, secret, { identity })).toThrow('keySid is required');
    });

    it('3. a missing secret throws AccessTokenError INVALID_API_KEY_SECRET (twilio-node throws a plain Error)', async () => {
      expectTokenErrorOutcome(await grantor.outcome(newToken({}, secret, { secret: absent })), 'INVALID_API_KEY_SECRET', 20107);
      expect(() => new TwilioAccessToken(accountSid, keySid, absent, { identity })).toThrow('secret is required');
    });

    it('4. missing options throw AccessTokenError INVALID_IDENTITY (twilio-node throws a plain Error)', async () => {
      const noOptions = undefined as unknown as { identity: string };
      expectTokenErrorOutcome(await grantor.outcome(newToken({}, secret, { options: noOptions })), 'INVALID_IDENTITY', 54351);
      expect(() => new TwilioAccessToken(accountSid, keySid, secret, noOptions)).toThrow('identity is required');
    });

    it('5. an integer identity becomes a string in grants.identity', async () => {
      expect(readToken(await jwt(grantor, newToken({ identity: 4444 }))).claims.grants.identity).toBe('4444');
    });
  });

  describe('home region', () => {
    it('6. region "foo" is refused with INVALID_REGION because it is no region code (twilio-node writes twr "foo"); "ie1" is written', async () => {
      const [foo, ie1] = await jwts(grantor, newToken({ region: 'foo' }, headerSecret, { steps: [{}, { set: { region: 'ie1' } }] }));
      expectTokenErrorOutcome(foo!, 'INVALID_REGION', 20101);
      expect(readToken(valueOf(ie1!)).header.twr).toBe('ie1');
    });

    // '', undefined and null mean "no region" as in twilio-node. {} and 1 are not region codes, and
    // neither is 0: grantor treats every non-string as a mistake instead of silently ignoring it.
    it.each([
      { region: '', outcome: 'no twr' },
      { region: undefined, outcome: 'no twr' },
      { region: null, outcome: 'no twr' },
      { region: {}, outcome: 'INVALID_REGION (not a region code; twilio-node ignores it)' },
      { region: 1, outcome: 'INVALID_REGION (not a region code; twilio-node ignores it)' },
      { region: 0, outcome: 'INVALID_REGION (a number, like 1, is a mistake; twilio-node ignores it)' },
    ])('7-12. region $region gives $outcome', async ({ region, outcome }) => {
      const [token] = await jwts(grantor, newToken({ region }, headerSecret));
      if (outcome === 'no twr') {
        expect(readToken(valueOf(token!)).header).not.toHaveProperty('twr');
      } else {
        expectTokenErrorOutcome(token!, 'INVALID_REGION', 20101);
        const twilioToken = new TwilioAccessToken(accountSid, keySid, headerSecret, { identity, region: region as string });
        expect(readToken(twilioToken.toJwt()).header).not.toHaveProperty('twr');
      }
    });
  });

  describe('generate', () => {
    it('13. the header is exactly alg HS256, typ JWT, cty twilio-fpa;v=1, in that order', async () => {
      const [header = ''] = (await jwt(grantor, newToken({}, headerSecret))).split('.');
      expect(Buffer.from(header, 'base64url').toString()).toBe('{"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"}');
    });

    it('14. signs HS256, and refuses HS384 and HS512 with UNSUPPORTED_ALGORITHM because Twilio accepts HS256 only', async () => {
      const [hs256, hs384, hs512] = await jwts(
        grantor,
        newToken({}, secret, { steps: ['HS256', 'HS384', 'HS512'].map((algorithm): JwtStep => ({ algorithm })) }),
      );
      expect(readToken(valueOf(hs256!)).header.alg).toBe('HS256');
      for (const refused of [hs384, hs512]) expectTokenErrorOutcome(refused!, 'UNSUPPORTED_ALGORITHM', 20102);
      expect((await grantor.value<{ ALGORITHMS: string[] }>({ op: 'statics' })).ALGORITHMS).toEqual(['HS256']);
    });

    it('15. an unknown algorithm is refused with UNSUPPORTED_ALGORITHM', async () => {
      const [unknown] = await jwts(grantor, newToken({}, secret, { steps: [{ algorithm: 'unknown' }] }));
      const error = expectTokenErrorOutcome(unknown!, 'UNSUPPORTED_ALGORITHM', 20102);
      expect(error.message).toContain('HS256');
    });

    it('16. a token without grants carries jti, iss, sub, a 3600 s lifetime and only the identity', async () => {
      const claims = await verified(grantor, newToken({ identity: 'placeholder' }, secret, { steps: [{ set: { identity } }] }));
      expect(claims.jti?.startsWith(keySid)).toBe(true);
      expect(claims).toMatchObject({ iss: keySid, sub: accountSid });
      expect(claims.exp! - claims.iat!).toBe(3600);
      expect(claims.grants).toEqual({ identity });
    });

    it('17. nbf set after construction is written as given', async () => {
      const nbf = Math.floor(Date.now() / 1000);
      const claims = await verified(grantor, newToken({}, secret, { steps: [{ set: { nbf } }] }));
      expect(claims.nbf).toBe(nbf);
      expect(claims.jti?.startsWith(keySid)).toBe(true);
      expect(claims).toMatchObject({ iss: keySid, sub: accountSid });
      expect(claims.exp! - claims.iat!).toBe(3600);
      expect(claims.grants).toEqual({ identity });
    });

    it('18. ttl set after construction gives exp - iat = ttl', async () => {
      const claims = await verified(grantor, newToken({}, secret, { steps: [{ set: { ttl: 100 } }] }));
      expect(claims.exp! - claims.iat!).toBe(100);
    });

    it('19. a ChatGrant with all four fields set as properties (an IS service SID: grantor refuses twilio-node\'s "SR" fixture)', async () => {
      const grant: GrantCall = {
        kind: 'chat',
        set: { serviceSid: CHAT_SERVICE, endpointId: 'endpointId', pushCredentialSid: PUSH_CREDENTIAL, deploymentRoleSid: DEPLOYMENT_ROLE },
      };
      const [full, sr] = await jwts(
        grantor,
        newToken({}, secret, { grants: [grant], steps: [{}, { grantSet: { 0: { set: { serviceSid: sid('SR', 'a') } } } }] }),
      );
      expect(verifyWithJsonwebtoken(valueOf(full!), secret).grants).toEqual({ identity, chat: FULL_CHAT_PAYLOAD });
      expectTokenErrorOutcome(sr!, 'INVALID_GRANT', 20106);
    });

    it('20. a VideoGrant room', async () => {
      expect((await verified(grantor, newToken({}, secret, { grants: [{ kind: 'video', set: { room: 'room' } }] }))).grants).toEqual({
        identity,
        video: { room: 'room' },
      });
    });

    it('21. a SyncGrant service SID and endpoint id', async () => {
      const grant: GrantCall = { kind: 'sync', set: { serviceSid: SYNC_SERVICE, endpointId: 'endpointId' } };
      expect((await verified(grantor, newToken({}, secret, { grants: [grant] }))).grants).toEqual({
        identity,
        data_sync: { service_sid: SYNC_SERVICE, endpoint_id: 'endpointId' },
      });
    });

    it('22. a TaskRouterGrant (hex SIDs: grantor refuses twilio-node\'s "WSxxxx…" fixture)', async () => {
      const grant: GrantCall = { kind: 'taskRouter', set: { workspaceSid: WORKSPACE, workerSid: WORKER, role: 'worker' } };
      const [hex, xxxx] = await jwts(
        grantor,
        newToken({}, secret, { grants: [grant], steps: [{}, { grantSet: { 0: { set: { workspaceSid: `WS${'x'.repeat(32)}` } } } }] }),
      );
      expect(verifyWithJsonwebtoken(valueOf(hex!), secret).grants).toEqual({
        identity,
        task_router: { workspace_sid: WORKSPACE, worker_sid: WORKER, role: 'worker' },
      });
      expectTokenErrorOutcome(xxxx!, 'INVALID_GRANT', 20106);
    });

    it('23. a PlaybackGrant object (with a null field, a URL and a VJ SID) is the player grant as it is', async () => {
      const playback = {
        requestCredentials: null,
        playbackUrl: 'https://000.us-east-1.playback.live-video.net/api/video/v1/us-east-000.channel.000?token=xxxxx',
        playerStreamerSid: sid('VJ', 'f'),
      };
      const claims = await verified(grantor, newToken({}, secret, { grants: [{ kind: 'playback', set: { grant: playback } }] }));
      expect(claims.grants).toEqual({ identity, player: playback });
    });

    it('24. chat, sync, video and task_router grants together', async () => {
      const grants: GrantCall[] = [
        { kind: 'chat', options: FULL_CHAT_OPTIONS },
        { kind: 'sync', options: { serviceSid: SYNC_SERVICE, endpointId: 'endpointId' } },
        { kind: 'video', options: { room: sid('RM', 'a') } },
        { kind: 'taskRouter', options: { workspaceSid: WORKSPACE, workerSid: WORKER, role: 'worker' } },
      ];
      expect((await verified(grantor, newToken({}, secret, { grants }))).grants).toEqual({
        identity,
        chat: FULL_CHAT_PAYLOAD,
        data_sync: { service_sid: SYNC_SERVICE, endpoint_id: 'endpointId' },
        video: { room: sid('RM', 'a') },
        task_router: { workspace_sid: WORKSPACE, worker_sid: WORKER, role: 'worker' },
      });
    });
  });

  describe('grant payloads', () => {
    it('25. ChatGrant: constructor options map to snake_case fields', async () => {
      expect(await payloadOf(grantor, 'chat', FULL_CHAT_OPTIONS)).toEqual(FULL_CHAT_PAYLOAD);
    });

    it('26. ChatGrant: only the fields that are set appear, and unsetting one removes it', async () => {
      await expectPayloadsAfter(grantor, 'chat', [
        [{}, {}],
        [{ deploymentRoleSid: DEPLOYMENT_ROLE }, { deployment_role_sid: DEPLOYMENT_ROLE }],
        [{ serviceSid: CHAT_SERVICE }, { service_sid: CHAT_SERVICE, deployment_role_sid: DEPLOYMENT_ROLE }],
        [{ endpointId: 'endpointId' }, { service_sid: CHAT_SERVICE, deployment_role_sid: DEPLOYMENT_ROLE, endpoint_id: 'endpointId' }],
        [
          { endpointId: undefined, pushCredentialSid: PUSH_CREDENTIAL },
          { service_sid: CHAT_SERVICE, deployment_role_sid: DEPLOYMENT_ROLE, push_credential_sid: PUSH_CREDENTIAL },
        ],
        [{ endpointId: 'endpointId' }, FULL_CHAT_PAYLOAD],
      ]);
    });

    it('27. VoiceGrant: application SID, params and endpoint id give outgoing and endpoint_id, no incoming', async () => {
      const application = sid('AP', '1');
      expect(await payloadOf(grantor, 'voice', { outgoingApplicationSid: application, outgoingApplicationParams: { foo: 'bar' }, endpointId: 'id' })).toEqual({
        outgoing: { application_sid: application, params: { foo: 'bar' } },
        endpoint_id: 'id',
      });
    });

    it('28. VoiceGrant: incomingAllow true gives exactly incoming.allow', async () => {
      expect(await payloadOf(grantor, 'voice', { incomingAllow: true })).toEqual({ incoming: { allow: true } });
    });

    it('29. VoiceGrant: a truthy non-boolean incomingAllow is left out of the payload, and toJwt refuses it with INVALID_GRANT', async () => {
      const options = { incomingAllow: 'foo' };
      expect(await payloadOf(grantor, 'voice', options)).toEqual({});
      const [token] = await jwts(grantor, newToken({ identity: 'ID_example' }, secret, { grants: [{ kind: 'voice', options }] }));
      expectTokenErrorOutcome(token!, 'INVALID_GRANT', 20106);
    });

    it('30. VideoGrant: empty, then with a room', async () => {
      await expectPayloadsAfter(grantor, 'video', [
        [{}, {}],
        [{ room: 'CPsid' }, { room: 'CPsid' }],
      ]);
    });

    it('31. SyncGrant: fields appear one at a time, and unsetting the service SID removes only it', async () => {
      await expectPayloadsAfter(grantor, 'sync', [
        [{}, {}],
        [{ serviceSid: SYNC_SERVICE }, { service_sid: SYNC_SERVICE }],
        [{ endpointId: 'endpointId' }, { service_sid: SYNC_SERVICE, endpoint_id: 'endpointId' }],
        [{ serviceSid: undefined }, { endpoint_id: 'endpointId' }],
      ]);
    });

    it('32. TaskRouterGrant: workspace, worker and role appear one at a time', async () => {
      await expectPayloadsAfter(grantor, 'taskRouter', [
        [{}, {}],
        [{ workspaceSid: WORKSPACE }, { workspace_sid: WORKSPACE }],
        [{ workerSid: WORKER }, { workspace_sid: WORKSPACE, worker_sid: WORKER }],
        [{ role: 'worker' }, { workspace_sid: WORKSPACE, worker_sid: WORKER, role: 'worker' }],
      ]);
    });

    it('33. PlaybackGrant: empty is {}, and a set grant is returned as the very same object', async () => {
      const playback = { requestCredentials: null, playbackUrl: 'https://example.invalid/live', playerStreamerSid: sid('VJ', 'f') };
      const [empty, set] = await grantor.value<{ payload: unknown; isGrantField: boolean }[]>({
        op: 'grantPayloads',
        kind: 'playback',
        grantClasses: 'statics',
        steps: [{}, { set: { grant: playback } }],
      });
      expect(empty!.payload).toEqual({});
      // Identity is checked inside the runtime (toPayload() === grant.grant); the value crosses as JSON.
      expect(set).toEqual({ payload: playback, isGrantField: true });
    });
  });
});
