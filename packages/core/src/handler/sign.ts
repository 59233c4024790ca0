import type { GrantsInput } from '../grants.js';
import type { IssuedToken } from '../token.js';
import type { ResolvedOptions } from './types.js';

/** Signs the token; a policy ttl above `maxTtl` is capped, never refused. */
export function issueToken(options: ResolvedOptions<any, any>, identity: string, decision: { grants: GrantsInput; ttl?: number | undefined }): IssuedToken {
  const ttl = Math.min(decision.ttl ?? options.defaultTtl, options.maxTtl);
  return options.signer().sign({ identity, grants: decision.grants, ttl });
}

/** The 200 body: what the browser needs, and nothing of the signer's. */
export function tokenPayload(issued: IssuedToken): { token: string; identity: string; expiresAt: string; ttl: number } {
  return { token: issued.token, identity: issued.identity, expiresAt: issued.expiresAt.toISOString(), ttl: issued.ttl };
}
