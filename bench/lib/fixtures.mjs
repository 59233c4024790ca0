// Credentials, grants and the stub user every benchmark shares, so all cases sign the same token.
import { createHmac, createSecretKey } from 'node:crypto';
import twilio from 'twilio';
import { AccessToken } from '@grantor/core';

export const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
export const API_KEY = { sid: `SK${'b2'.repeat(16)}`, secret: 'bench-secret-0123456789abcdef012' };
export const CREDENTIALS = { accountSid: ACCOUNT_SID, keys: API_KEY };
export const STUB_USER = { id: 'user_1042' };
export const ROOM = 'r1';
export const REQUEST_BODY = JSON.stringify({ room: ROOM });

const sid = (prefix) => `${prefix}${'c3'.repeat(16)}`;

/** All six grants in the plain-object form `signer.sign()` and policies take. */
export const ALL_GRANTS_SPEC = {
  chat: { serviceSid: sid('IS') },
  voice: { incomingAllow: true, outgoingApplicationSid: sid('AP'), outgoingApplicationParams: { plan: 'pro' } },
  video: { room: ROOM },
  sync: { serviceSid: sid('IS') },
  taskRouter: { workspaceSid: sid('WS'), workerSid: sid('WK'), role: 'worker' },
  playback: { requestCredentials: null, playbackUrl: 'https://example.com/live', playerStreamerSid: sid('VJ') },
};
export const VIDEO_GRANT_SPEC = { video: ALL_GRANTS_SPEC.video };

/** The grant classes of twilio-node or grantor, built from the spec the same way for both. */
function grantObjects(classes, spec) {
  const make = {
    chat: (options) => new classes.ChatGrant(options),
    voice: (options) => new classes.VoiceGrant(options),
    video: (options) => new classes.VideoGrant(options),
    sync: (options) => new classes.SyncGrant(options),
    taskRouter: (options) => new classes.TaskRouterGrant(options),
    playback: (grant) => new classes.PlaybackGrant({ grant }),
  };
  return Object.entries(spec).map(([key, options]) => make[key](options));
}

/**
 * Mints a token the way apps use an `AccessToken` class: new token, addGrant per grant, toJwt().
 * Grant objects are built per token too, as a request handler would.
 */
export function accessTokenMinter(AccessTokenClass, spec) {
  return (identity) => {
    const token = new AccessTokenClass(ACCOUNT_SID, API_KEY.sid, API_KEY.secret, { identity, ttl: 3600 });
    for (const grant of grantObjects(AccessTokenClass, spec)) token.addGrant(grant);
    return token.toJwt();
  };
}

export const TwilioAccessToken = twilio.jwt.AccessToken;
export const GrantorAccessToken = AccessToken;

/**
 * The practical limit of signing: the claims through JSON.stringify + base64url + one HMAC with a
 * prebuilt KeyObject, no validation, a counter for the jti. Returns `(grantsPayload) => token`, where
 * the payload is the token's `grants` claim as Twilio reads it (`{ identity, video: { room } }`).
 */
export function baselineSigner() {
  const key = createSecretKey(Buffer.from(API_KEY.secret, 'utf8'));
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' })).toString('base64url');
  let counter = 0;
  return (grantsPayload) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { jti: `${API_KEY.sid}-${now}-${counter++}`, grants: grantsPayload, iat: now, exp: now + 3600, iss: API_KEY.sid, sub: ACCOUNT_SID };
    const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
  };
}
