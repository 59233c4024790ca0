import { AccessTokenError } from '../errors.js';
import type { IssuedToken } from '../token.js';
import type { MaybePromise } from './settle.js';
import type { DeniedEvent, TokenHandlerBaseOptions } from './types.js';

/**
 * What the route did about an error that reaches onError: the default log line says it, since the same
 * hook gets a 500's cause, a 503's cause and a rate limit store failure the in-process count covered.
 */
export type ErrorOutcome = { status: 500 | 503; code?: string | undefined } | 'counted-in-memory';

function logError(error: unknown, outcome: ErrorOutcome): void {
  const summary =
    error instanceof AccessTokenError ? `${error.code}: ${error.message}` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const what =
    outcome === 'counted-in-memory'
      ? 'the rate limit store failed; this token was counted in memory'
      : `token request failed with ${outcome.status}${outcome.code ? ` (${outcome.code})` : ''}`;
  console.error(`[grantor] ${what}. ${summary}`);
}

/** The app's audit hooks, each called the same way from every step that ends a request. */
export function createAudit<TUser, TRequest>(options: TokenHandlerBaseOptions<TUser, TRequest>) {
  const { onError } = options;
  return {
    /** A throw from the hook propagates: the request then ends as a 500. Its promise, when it returns one, is for the caller to await. */
    issued(issued: IssuedToken, user: TUser, request: TRequest): MaybePromise<void> {
      if (!options.onIssued) return;
      const { identity, grantKeys: grants, jti, keySid, expiresAt, ttl } = issued;
      return options.onIssued({ identity, grants, jti, keySid, expiresAt, ttl, user, request });
    },
    async denied(event: DeniedEvent<TUser, TRequest>): Promise<void> {
      await options.onDenied?.(event);
    },
    /** Never throws: a failing logger, sync or async, must not turn a 500 into a crash. */
    error(error: unknown, request: TRequest, outcome: ErrorOutcome): void {
      try {
        if (onError) Promise.resolve(onError(error, request)).catch(() => {});
        else logError(error, outcome);
      } catch {}
    },
  };
}

export type Audit<TUser, TRequest> = ReturnType<typeof createAudit<TUser, TRequest>>;
