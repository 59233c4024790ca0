/** Token inputs described as data, minted the same way by twilio-node (the oracle) and by grantor. */
import { AccessToken, ChatGrant, createSigner, type Grant, type GrantsSpec, PlaybackGrant, SyncGrant, TaskRouterGrant, VideoGrant, VoiceGrant } from '@grantor/core';
import { TwilioAccessToken } from '../../packages/core/test/support.js';

export const GRANTOR_GRANTS = {
  chat: ChatGrant,
  voice: VoiceGrant,
  video: VideoGrant,
  sync: SyncGrant,
  taskRouter: TaskRouterGrant,
  playback: PlaybackGrant,
};

export const TWILIO_GRANTS: Record<GrantKind, new (options: any) => unknown> = {
  chat: TwilioAccessToken.ChatGrant,
  voice: TwilioAccessToken.VoiceGrant,
  video: TwilioAccessToken.VideoGrant,
  sync: TwilioAccessToken.SyncGrant,
  taskRouter: TwilioAccessToken.TaskRouterGrant,
  playback: TwilioAccessToken.PlaybackGrant,
};

export type GrantKind = keyof typeof GRANTOR_GRANTS;
export const GRANT_KINDS = Object.keys(GRANTOR_GRANTS) as GrantKind[];

export interface GrantDraft {
  kind: GrantKind;
  /** The constructor options, named as in both libraries. */
  options: Record<string, any>;
}

/** Builds the grant with one library's classes. */
export function buildGrant(classes: Record<GrantKind, new (options: any) => unknown>, draft: GrantDraft): Grant {
  return new classes[draft.kind](draft.options) as Grant;
}

/** The same grants in the signer's plain-object form (each kind at most once). */
export function toGrantsSpec(drafts: readonly GrantDraft[]): GrantsSpec {
  return Object.fromEntries(drafts.map(({ kind, options }) => [kind, kind === 'playback' ? (options.grant ?? {}) : options]));
}

export interface TokenInput {
  /** The frozen clock, in milliseconds. */
  nowMs: number;
  accountSid: string;
  keySid: string;
  secret: string;
  identity: string | number;
  ttl?: number;
  nbf?: number;
  region?: string;
  grants: GrantDraft[];
}

/** The jti twilio-node writes, which grantor is given so that the bytes can match. */
export const twilioJti = (input: TokenInput): string => `${input.keySid}-${Math.floor(input.nowMs / 1000)}`;

/** twilio-node's toJwt(); the caller freezes Date.now at input.nowMs. */
export function twilioNodeToken(input: TokenInput, algorithm?: 'HS256' | 'HS384' | 'HS512'): string {
  const { identity, ttl, nbf, region } = input;
  const token = new TwilioAccessToken(input.accountSid, input.keySid, input.secret, { identity: identity as string, ttl: ttl!, nbf, region });
  for (const draft of input.grants) token.addGrant(buildGrant(TWILIO_GRANTS, draft) as never);
  return token.toJwt(algorithm);
}

/** grantor's drop-in AccessToken, built from grantor's grant classes or twilio-node's; Date.now frozen by the caller. */
export function grantorAccessToken(input: TokenInput, grantClasses: Record<GrantKind, new (options: any) => unknown> = GRANTOR_GRANTS): AccessToken {
  const { identity, ttl, nbf, region } = input;
  const token = new AccessToken(input.accountSid, input.keySid, input.secret, { identity, ttl, nbf, region, jti: twilioJti(input) });
  for (const draft of input.grants) token.addGrant(buildGrant(grantClasses, draft));
  return token;
}

/** grantor's signer with its clock at input.nowMs; grants as grant objects or as a GrantsSpec. */
export function grantorSign(input: TokenInput, grantsForm: 'objects' | 'spec' = 'objects') {
  const signer = createSigner({
    accountSid: input.accountSid,
    keys: { sid: input.keySid, secret: input.secret },
    region: input.region,
    clock: () => input.nowMs,
  });
  const grants = grantsForm === 'spec' ? toGrantsSpec(input.grants) : input.grants.map((draft) => buildGrant(GRANTOR_GRANTS, draft));
  return signer.sign({ identity: input.identity, grants, ttl: input.ttl, nbf: input.nbf, jti: twilioJti(input) });
}
