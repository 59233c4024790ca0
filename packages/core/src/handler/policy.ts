import { AccessTokenError } from '../errors.js';
import type { GrantsInput } from '../grants.js';
import { type MaybePromise, settle } from './settle.js';
import type { PolicyContext, PolicyDecision, ResolvedOptions } from './types.js';

const REFUSED = 'You may not get a token for this request.';

/** Runs the app's policy: the grants and ttl to issue, or a 403 with the policy's reason. */
export function decideGrants<TUser, TRequest>(
  policy: ResolvedOptions<TUser, TRequest>['policy'],
  context: PolicyContext<TUser, TRequest>,
): MaybePromise<{ grants: GrantsInput; ttl?: number | undefined }> {
  return settle(policy(context), checkDecision);
}

function checkDecision(decision: PolicyDecision): { grants: GrantsInput; ttl?: number | undefined } {
  if (decision === false || (decision && 'deny' in decision)) {
    throw new AccessTokenError('FORBIDDEN', (decision && decision.deny) || REFUSED);
  }
  if (!decision || typeof decision !== 'object' || !('grants' in decision)) {
    throw new AccessTokenError('INVALID_OPTIONS', 'The policy must return { grants, ttl? }, false, or { deny: reason }.');
  }
  return decision;
}
