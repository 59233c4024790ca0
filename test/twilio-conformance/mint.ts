/**
 * Token inputs described as data, minted the same way by twilio-node (the oracle, here on Node) and by
 * grantor (as calls to a runtime driver, test/runtimes: in-process, workerd, Edge VM, Bun or Deno).
 */
import type { GrantsSpec } from '@grantor/core';
import { TwilioAccessToken } from '../../packages/core/test/support.js';
import type { Call, GrantClasses, GrantKind, Outcome } from '../runtimes/calls.js';

export type { GrantKind };

export const TWILIO_GRANTS: Record<GrantKind, new (options: any) => unknown> = {
  chat: TwilioAccessToken.ChatGrant,
  voice: TwilioAccessToken.VoiceGrant,
  video: TwilioAccessToken.VideoGrant,
  sync: TwilioAccessToken.SyncGrant,
  taskRouter: TwilioAccessToken.TaskRouterGrant,
  playback: TwilioAccessToken.PlaybackGrant,
};

export const GRANT_KINDS = Object.keys(TWILIO_GRANTS) as GrantKind[];

export interface GrantDraft {
  kind: GrantKind;
  /** The constructor options, named as in both libraries. */
  options: Record<string, any>;
}

/** Builds the grant with twilio-node's classes. */
const twilioGrant = (draft: GrantDraft) => new TWILIO_GRANTS[draft.kind](draft.options);

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
  for (const draft of input.grants) token.addGrant(twilioGrant(draft) as never);
  return token.toJwt(algorithm);
}

/** grantor's drop-in AccessToken as a call (built with grantor's grant classes or twilio-node's), Date.now frozen at input.nowMs. */
export function accessTokenCall(input: TokenInput, grantClasses: GrantClasses = 'grantor', algorithm?: string): Call {
  const { identity, ttl, nbf, region } = input;
  return {
    op: 'accessToken',
    nowMs: input.nowMs,
    accountSid: input.accountSid,
    keySid: input.keySid,
    secret: input.secret,
    options: { identity, ttl, nbf, region, jti: twilioJti(input) },
    grants: input.grants,
    grantClasses,
    steps: [{ algorithm }],
  };
}

/** grantor's signer as a call, its clock at input.nowMs; grants as grant objects or as a GrantsSpec. */
export function signCall(input: TokenInput, grantsForm: 'objects' | 'spec' = 'objects'): Call {
  return {
    op: 'sign',
    nowMs: input.nowMs,
    signer: { accountSid: input.accountSid, keys: { sid: input.keySid, secret: input.secret }, region: input.region },
    sign: { identity: input.identity, ttl: input.ttl, nbf: input.nbf, jti: twilioJti(input) },
    grants: grantsForm === 'spec' ? (toGrantsSpec(input.grants) as Record<string, unknown>) : input.grants,
  };
}

/** The one token of an accessTokenCall's outcome (its single toJwt()), or the error that prevented it. */
export function tokenOutcome(outcome: Outcome): Outcome<string> {
  return outcome.error ? outcome : (outcome.value as Outcome<string>[])[0]!;
}
