import { AccessTokenError } from '../errors.js';
import type { IssuedToken } from '../token.js';
import type { MaybePromise } from './settle.js';
import type { DeniedEvent, TokenHandlerBaseOptions } from './types.js';

function logError(error: unknown): void {
  const summary =
    error instanceof AccessTokenError ? `${error.code}: ${error.message}` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(`[grantor] token request failed with 500. ${summary}`);
}

/** The app's audit hooks, each called the same way from every step that ends a request. */
export function createAudit<TUser, TRequest>(options: TokenHandlerBaseOptions<TUser, TRequest>) {
  const onError = options.onError ?? logError;
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
    error(error: unknown, request: TRequest): void {
      try {
        Promise.resolve(onError(error, request)).catch(() => {});
      } catch {}
    },
  };
}

export type Audit<TUser, TRequest> = ReturnType<typeof createAudit<TUser, TRequest>>;
