/**
 * twilio-node's own AccessToken spec (spec/unit/jwt/AccessToken.spec.js, 33 cases), ported to
 * grantor's AccessToken. Where grantor deliberately differs, the case asserts grantor's behaviour,
 * says why in its name, and shows what twilio-node does instead.
 */
import { describe, expect, it } from 'vitest';
import { AccessToken } from '@grantor/core';
import { expectTokenError, readToken, sid, TwilioAccessToken, verifyWithJsonwebtoken } from '../../packages/core/test/support.js';

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

const newToken = (options: Partial<ConstructorParameters<typeof AccessToken>[3]> = {}, key = secret) =>
  new AccessToken(accountSid, keySid, key, { identity, ...options });

/** Signs with grantor and verifies with jsonwebtoken, as twilio-node's spec does. */
const verified = (token: AccessToken) => verifyWithJsonwebtoken(token.toJwt(), secret);

describe('constructor', () => {
  const absent = undefined as unknown as string;

  it('1. a missing accountSid throws AccessTokenError INVALID_ACCOUNT_SID (twilio-node throws a plain Error)', () => {
    expectTokenError(() => new AccessToken(absent, keySid, secret, { identity }), 'INVALID_ACCOUNT_SID', 20103);
    expect(() => new TwilioAccessToken(absent, keySid, secret, { identity })).toThrow('accountSid is required');
  });

  it('2. a missing keySid throws AccessTokenError INVALID_API_KEY_SID (twilio-node throws a plain Error)', () => {
    expectTokenError(() => new AccessToken(accountSid, absent, secret, { identity }), 'INVALID_API_KEY_SID', 20103);
    expect(() => new TwilioAccessToken(accountSid, absent, secret, { identity })).toThrow('keySid is required');
  });

  it('3. a missing secret throws AccessTokenError INVALID_API_KEY_SECRET (twilio-node throws a plain Error)', () => {
    expectTokenError(() => new AccessToken(accountSid, keySid, absent, { identity }), 'INVALID_API_KEY_SECRET', 20107);
    expect(() => new TwilioAccessToken(accountSid, keySid, absent, { identity })).toThrow('secret is required');
  });

  it('4. missing options throw AccessTokenError INVALID_IDENTITY (twilio-node throws a plain Error)', () => {
    const noOptions = undefined as unknown as { identity: string };
    expectTokenError(() => new AccessToken(accountSid, keySid, secret, noOptions), 'INVALID_IDENTITY', 54351);
    expect(() => new TwilioAccessToken(accountSid, keySid, secret, noOptions)).toThrow('identity is required');
  });

  it('5. an integer identity becomes a string in grants.identity', () => {
    expect(readToken(newToken({ identity: 4444 }).toJwt()).claims.grants.identity).toBe('4444');
  });
});

describe('home region', () => {
  it('6. region "foo" is refused with INVALID_REGION because it is no region code (twilio-node writes twr "foo"); "ie1" is written', () => {
    const token = newToken({ region: 'foo' }, headerSecret);
    expectTokenError(() => token.toJwt(), 'INVALID_REGION', 20101);
    token.region = 'ie1';
    expect(readToken(token.toJwt()).header.twr).toBe('ie1');
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
  ])('7-12. region $region gives $outcome', ({ region, outcome }) => {
    const token = newToken({ region: region as string }, headerSecret);
    if (outcome === 'no twr') {
      expect(readToken(token.toJwt()).header).not.toHaveProperty('twr');
    } else {
      expectTokenError(() => token.toJwt(), 'INVALID_REGION', 20101);
      const twilioToken = new TwilioAccessToken(accountSid, keySid, headerSecret, { identity, region: region as string });
      expect(readToken(twilioToken.toJwt()).header).not.toHaveProperty('twr');
    }
  });
});

describe('generate', () => {
  it('13. the header is exactly alg HS256, typ JWT, cty twilio-fpa;v=1, in that order', () => {
    const [header = ''] = newToken({}, headerSecret).toJwt().split('.');
    expect(Buffer.from(header, 'base64url').toString()).toBe('{"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"}');
  });

  it('14. signs HS256, and refuses HS384 and HS512 with UNSUPPORTED_ALGORITHM because Twilio accepts HS256 only', () => {
    expect(readToken(newToken().toJwt('HS256')).header.alg).toBe('HS256');
    for (const algorithm of ['HS384', 'HS512']) {
      expectTokenError(() => newToken().toJwt(algorithm), 'UNSUPPORTED_ALGORITHM', 20102);
    }
    expect(AccessToken.ALGORITHMS).toEqual(['HS256']);
  });

  it('15. an unknown algorithm is refused with UNSUPPORTED_ALGORITHM', () => {
    const error = expectTokenError(() => newToken().toJwt('unknown'), 'UNSUPPORTED_ALGORITHM', 20102);
    expect(error.message).toContain('HS256');
  });

  it('16. a token without grants carries jti, iss, sub, a 3600 s lifetime and only the identity', () => {
    const token = new AccessToken(accountSid, keySid, secret, { identity: 'placeholder' });
    token.identity = identity;
    const claims = verified(token);
    expect(claims.jti?.startsWith(keySid)).toBe(true);
    expect(claims).toMatchObject({ iss: keySid, sub: accountSid });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims.grants).toEqual({ identity });
  });

  it('17. nbf set after construction is written as given', () => {
    const nbf = Math.floor(Date.now() / 1000);
    const token = newToken();
    token.nbf = nbf;
    const claims = verified(token);
    expect(claims.nbf).toBe(nbf);
    expect(claims.jti?.startsWith(keySid)).toBe(true);
    expect(claims).toMatchObject({ iss: keySid, sub: accountSid });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims.grants).toEqual({ identity });
  });

  it('18. ttl set after construction gives exp - iat = ttl', () => {
    const token = newToken();
    token.ttl = 100;
    const claims = verified(token);
    expect(claims.exp! - claims.iat!).toBe(100);
  });

  it('19. a ChatGrant with all four fields set as properties (an IS service SID: grantor refuses twilio-node\'s "SR" fixture)', () => {
    const grant = new AccessToken.ChatGrant();
    grant.serviceSid = CHAT_SERVICE;
    grant.endpointId = 'endpointId';
    grant.pushCredentialSid = PUSH_CREDENTIAL;
    grant.deploymentRoleSid = DEPLOYMENT_ROLE;
    const token = newToken().addGrant(grant);
    expect(verified(token).grants).toEqual({ identity, chat: FULL_CHAT_PAYLOAD });
    grant.serviceSid = sid('SR', 'a');
    expectTokenError(() => token.toJwt(), 'INVALID_GRANT', 20106);
  });

  it('20. a VideoGrant room', () => {
    const grant = new AccessToken.VideoGrant();
    grant.room = 'room';
    expect(verified(newToken().addGrant(grant)).grants).toEqual({ identity, video: { room: 'room' } });
  });

  it('21. a SyncGrant service SID and endpoint id', () => {
    const grant = new AccessToken.SyncGrant();
    grant.serviceSid = SYNC_SERVICE;
    grant.endpointId = 'endpointId';
    expect(verified(newToken().addGrant(grant)).grants).toEqual({
      identity,
      data_sync: { service_sid: SYNC_SERVICE, endpoint_id: 'endpointId' },
    });
  });

  it('22. a TaskRouterGrant (hex SIDs: grantor refuses twilio-node\'s "WSxxxx…" fixture)', () => {
    const grant = new AccessToken.TaskRouterGrant();
    grant.workspaceSid = WORKSPACE;
    grant.workerSid = WORKER;
    grant.role = 'worker';
    const token = newToken().addGrant(grant);
    expect(verified(token).grants).toEqual({
      identity,
      task_router: { workspace_sid: WORKSPACE, worker_sid: WORKER, role: 'worker' },
    });
    grant.workspaceSid = `WS${'x'.repeat(32)}`;
    expectTokenError(() => token.toJwt(), 'INVALID_GRANT', 20106);
  });

  it('23. a PlaybackGrant object (with a null field, a URL and a VJ SID) is the player grant as it is', () => {
    const playback = {
      requestCredentials: null,
      playbackUrl: 'https://000.us-east-1.playback.live-video.net/api/video/v1/us-east-000.channel.000?token=xxxxx',
      playerStreamerSid: sid('VJ', 'f'),
    };
    const grant = new AccessToken.PlaybackGrant();
    grant.grant = playback;
    expect(verified(newToken().addGrant(grant)).grants).toEqual({ identity, player: playback });
  });

  it('24. chat, sync, video and task_router grants together', () => {
    const token = newToken()
      .addGrant(new AccessToken.ChatGrant(FULL_CHAT_OPTIONS))
      .addGrant(new AccessToken.SyncGrant({ serviceSid: SYNC_SERVICE, endpointId: 'endpointId' }))
      .addGrant(new AccessToken.VideoGrant({ room: sid('RM', 'a') }))
      .addGrant(new AccessToken.TaskRouterGrant({ workspaceSid: WORKSPACE, workerSid: WORKER, role: 'worker' }));
    expect(verified(token).grants).toEqual({
      identity,
      chat: FULL_CHAT_PAYLOAD,
      data_sync: { service_sid: SYNC_SERVICE, endpoint_id: 'endpointId' },
      video: { room: sid('RM', 'a') },
      task_router: { workspace_sid: WORKSPACE, worker_sid: WORKER, role: 'worker' },
    });
  });
});

describe('grant payloads', () => {
  /** Sets fields on the grant, as twilio-node's spec does, then checks the payload it produces. */
  const expectPayloadAfter = <T extends { toPayload(): object }>(grant: T, changes: Partial<T>, expected: object) => {
    Object.assign(grant, changes);
    expect(grant.toPayload()).toEqual(expected);
  };

  it('25. ChatGrant: constructor options map to snake_case fields', () => {
    expect(new AccessToken.ChatGrant(FULL_CHAT_OPTIONS).toPayload()).toEqual(FULL_CHAT_PAYLOAD);
  });

  it('26. ChatGrant: only the fields that are set appear, and unsetting one removes it', () => {
    const grant = new AccessToken.ChatGrant();
    expectPayloadAfter(grant, {}, {});
    expectPayloadAfter(grant, { deploymentRoleSid: DEPLOYMENT_ROLE }, { deployment_role_sid: DEPLOYMENT_ROLE });
    expectPayloadAfter(grant, { serviceSid: CHAT_SERVICE }, { service_sid: CHAT_SERVICE, deployment_role_sid: DEPLOYMENT_ROLE });
    expectPayloadAfter(grant, { endpointId: 'endpointId' }, { service_sid: CHAT_SERVICE, deployment_role_sid: DEPLOYMENT_ROLE, endpoint_id: 'endpointId' });
    expectPayloadAfter(
      grant,
      { endpointId: undefined, pushCredentialSid: PUSH_CREDENTIAL },
      { service_sid: CHAT_SERVICE, deployment_role_sid: DEPLOYMENT_ROLE, push_credential_sid: PUSH_CREDENTIAL },
    );
    expectPayloadAfter(grant, { endpointId: 'endpointId' }, FULL_CHAT_PAYLOAD);
  });

  it('27. VoiceGrant: application SID, params and endpoint id give outgoing and endpoint_id, no incoming', () => {
    const application = sid('AP', '1');
    const grant = new AccessToken.VoiceGrant({ outgoingApplicationSid: application, outgoingApplicationParams: { foo: 'bar' }, endpointId: 'id' });
    expect(grant.toPayload()).toEqual({ outgoing: { application_sid: application, params: { foo: 'bar' } }, endpoint_id: 'id' });
  });

  it('28. VoiceGrant: incomingAllow true gives exactly incoming.allow', () => {
    expect(new AccessToken.VoiceGrant({ incomingAllow: true }).toPayload()).toEqual({ incoming: { allow: true } });
  });

  it('29. VoiceGrant: a truthy non-boolean incomingAllow is left out of the payload, and toJwt refuses it with INVALID_GRANT', () => {
    const grant = new AccessToken.VoiceGrant({ incomingAllow: 'foo' as unknown as boolean });
    expect(grant.toPayload()).toEqual({});
    expectTokenError(() => newToken({ identity: 'ID_example' }).addGrant(grant).toJwt(), 'INVALID_GRANT', 20106);
  });

  it('30. VideoGrant: empty, then with a room', () => {
    const grant = new AccessToken.VideoGrant();
    expectPayloadAfter(grant, {}, {});
    expectPayloadAfter(grant, { room: 'CPsid' }, { room: 'CPsid' });
  });

  it('31. SyncGrant: fields appear one at a time, and unsetting the service SID removes only it', () => {
    const grant = new AccessToken.SyncGrant();
    expectPayloadAfter(grant, {}, {});
    expectPayloadAfter(grant, { serviceSid: SYNC_SERVICE }, { service_sid: SYNC_SERVICE });
    expectPayloadAfter(grant, { endpointId: 'endpointId' }, { service_sid: SYNC_SERVICE, endpoint_id: 'endpointId' });
    expectPayloadAfter(grant, { serviceSid: undefined }, { endpoint_id: 'endpointId' });
  });

  it('32. TaskRouterGrant: workspace, worker and role appear one at a time', () => {
    const grant = new AccessToken.TaskRouterGrant();
    expectPayloadAfter(grant, {}, {});
    expectPayloadAfter(grant, { workspaceSid: WORKSPACE }, { workspace_sid: WORKSPACE });
    expectPayloadAfter(grant, { workerSid: WORKER }, { workspace_sid: WORKSPACE, worker_sid: WORKER });
    expectPayloadAfter(grant, { role: 'worker' }, { workspace_sid: WORKSPACE, worker_sid: WORKER, role: 'worker' });
  });

  it('33. PlaybackGrant: empty is {}, and a set grant is returned as the very same object', () => {
    const grant = new AccessToken.PlaybackGrant();
    expect(grant.toPayload()).toEqual({});
    const playback = { requestCredentials: null, playbackUrl: 'https://example.invalid/live', playerStreamerSid: sid('VJ', 'f') };
    grant.grant = playback;
    expect(grant.toPayload()).toBe(playback);
  });
});
