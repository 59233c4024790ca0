import { createSigner, decodeAccessToken, type GrantsSpec } from '@grantor/core';
import { credentialsFromEnv, readSecret, requireVariables } from './io.js';

export interface MintOptions {
  identity: string;
  video?: boolean | undefined;
  videoRoom?: string | undefined;
  voiceApp?: string | undefined;
  voiceIncoming?: boolean | undefined;
  voicePushCredential?: string | undefined;
  chatService?: string | undefined;
  chatPushCredential?: string | undefined;
  syncService?: string | undefined;
  ttl?: number | undefined;
  nbf?: number | undefined;
  jti?: string | undefined;
  region?: string | undefined;
  secretFile?: string | undefined;
  json?: boolean | undefined;
}

/** Each product flag turns its grant on; the core validates every value. */
function grantsFrom(options: MintOptions): GrantsSpec {
  const grants: GrantsSpec = {};
  if (options.video || options.videoRoom !== undefined) grants.video = { room: options.videoRoom };
  if (options.voiceApp !== undefined || options.voiceIncoming || options.voicePushCredential !== undefined) {
    grants.voice = {
      incomingAllow: options.voiceIncoming,
      outgoingApplicationSid: options.voiceApp,
      pushCredentialSid: options.voicePushCredential,
    };
  }
  if (options.chatService !== undefined || options.chatPushCredential !== undefined) {
    grants.chat = { serviceSid: options.chatService, pushCredentialSid: options.chatPushCredential };
  }
  if (options.syncService !== undefined) grants.sync = { serviceSid: options.syncService };
  return grants;
}

/** Signs a token with the environment's credentials: the token alone, or JSON with its claims. */
export function mint(options: MintOptions): string {
  const { accountSid, keySid, secret } = credentialsFromEnv();
  requireVariables([
    ...(accountSid ? [] : ['TWILIO_ACCOUNT_SID']),
    ...(keySid ? [] : ['TWILIO_API_KEY_SID']),
    ...(secret || options.secretFile !== undefined ? [] : ['TWILIO_API_KEY_SECRET']),
  ]);
  const signer = createSigner({
    accountSid: accountSid!,
    keys: { sid: keySid!, secret: readSecret(options.secretFile, secret) },
    region: options.region,
  });
  const issued = signer.sign({
    identity: options.identity,
    grants: grantsFrom(options),
    ttl: options.ttl,
    nbf: options.nbf,
    jti: options.jti,
  });
  if (!options.json) return issued.token;
  return JSON.stringify({ ...issued, ...decodeAccessToken(issued.token) }, null, 2);
}
