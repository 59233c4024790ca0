import { AccessTokenError } from '../errors.js';

/**
 * What grantor needs of a limiter: any rate-limiter-flexible limiter (RateLimiterRedis for many
 * instances, RateLimiterMemory, ...) has this shape, whichever copy of the package made it.
 */
export interface TokenRateLimiter {
  /** Tokens allowed per key in each window. */
  readonly points: number;
  /** The window, in seconds. */
  readonly duration: number;
  /** Resolves when the key may have one more; rejects with the limiter's result when it may not, or with an Error when the store failed. */
  consume(key: string): Promise<{ remainingPoints: number; msBeforeNext: number }>;
}

/** An in-process limit: `points` tokens per identity each `duration` seconds. */
export interface RateLimitWindow {
  points: number;
  duration: number;
}

/**
 * A shared limiter and what the route does when its store fails: `'fail-closed'` answers 503, `'memory'`
 * counts in this process (up to N times the limit across N instances) until the store answers again.
 * Either way the store's error goes to `onError`.
 */
export interface SharedRateLimit {
  limiter: TokenRateLimiter;
  /** @default 'fail-closed' */
  whenStoreFails?: 'fail-closed' | 'memory' | undefined;
}

/** Counts one token for the identity; a store error the fallback covered goes to `reportStoreError`. */
export type RateLimitStep = (identity: string, reportStoreError: (error: unknown) => void) => Promise<Record<string, string>>;

/** A store that has not answered by then is treated as failed, so no request hangs on it. */
const STORE_TIMEOUT_MS = 2_000;

/** The store's answer, or a rejection once it has been silent for STORE_TIMEOUT_MS. */
async function withinTimeout<T>(pending: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The rate limit store did not answer within ${STORE_TIMEOUT_MS} ms.`)), STORE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([pending, silence]);
  } finally {
    clearTimeout(timer);
  }
}

const isLimiterResult = (value: unknown): value is { remainingPoints: number; msBeforeNext: number } =>
  !(value instanceof Error) && typeof (value as { msBeforeNext?: unknown } | null)?.msBeforeNext === 'number';

const isCount = (value: unknown) => Number.isInteger(value) && (value as number) > 0;
const isLimiter = (value: unknown): value is TokenRateLimiter => {
  const candidate = value as Partial<TokenRateLimiter> | null;
  return typeof candidate?.consume === 'function' && isCount(candidate.points) && isCount(candidate.duration);
};
/**
 * An in-process count, loaded on its first use. The file, not the package: the package's index also
 * loads the cluster and Redis limiters, which need Node built-ins.
 */
function memoryLimiter({ points, duration }: RateLimitWindow): TokenRateLimiter {
  let loading: Promise<TokenRateLimiter> | undefined;
  const limiter = async () => {
    loading ??= import('rate-limiter-flexible/lib/RateLimiterMemory.js').then(({ default: RateLimiterMemory }) => new RateLimiterMemory({ points, duration }));
    return loading;
  };
  return { points, duration, consume: async (key) => (await limiter()).consume(key) };
}

/** The limiter that counts, whether it has a store, and the in-process one to fall back to when its store fails (if any). */
function checkRateLimitOption(option: unknown): { limiter: TokenRateLimiter; hasStore: boolean; fallback: TokenRateLimiter | undefined } {
  if (isLimiter(option)) return { limiter: option, hasStore: true, fallback: undefined };
  const shared = option as Partial<SharedRateLimit> | null;
  if (isLimiter(shared?.limiter) && [undefined, 'fail-closed', 'memory'].includes(shared.whenStoreFails)) {
    return { limiter: shared.limiter, hasStore: true, fallback: shared.whenStoreFails === 'memory' ? memoryLimiter(shared.limiter) : undefined };
  }
  const window = option as Partial<RateLimitWindow> | null;
  if (typeof option === 'object' && !shared?.limiter && isCount(window?.points) && isCount(window?.duration)) {
    return { limiter: memoryLimiter(window as RateLimitWindow), hasStore: false, fallback: undefined };
  }
  throw new AccessTokenError(
    'INVALID_OPTIONS',
    "rateLimit must be { points, duration } (whole numbers: tokens per identity per window of seconds), a rate-limiter-flexible limiter such as RateLimiterRedis, or { limiter, whenStoreFails: 'fail-closed' | 'memory' }.",
  );
}

/**
 * The limit step: counts one token for the identity, after the policy allowed it and before signing.
 * Resolves to the IETF RateLimit headers for the answer; throws RATE_LIMITED (429) over the limit, and
 * RATE_LIMIT_UNAVAILABLE (503, cause kept for onError) when the store fails and no in-process fallback
 * was chosen: a limit that silently vanishes is no limit, and every token costs money once used.
 */
export function createRateLimit(option: unknown): RateLimitStep | undefined {
  if (option === undefined) return undefined;
  const { limiter, hasStore, fallback } = checkRateLimitOption(option);
  const policy = `${limiter.points};w=${limiter.duration}`;
  const headers = (remaining: number, msBeforeNext: number) => ({
    'ratelimit-policy': policy,
    ratelimit: `limit=${limiter.points}, remaining=${Math.max(0, remaining)}, reset=${Math.ceil(msBeforeNext / 1000)}`,
  });
  // grantor's own in-process count answers at once: only an app's limiter, which may have a store, gets the timer.
  return async (identity, reportStoreError) => {
    const consume = async () => {
      try {
        return await (hasStore ? withinTimeout(limiter.consume(identity)) : limiter.consume(identity));
      } catch (rejection) {
        if (isLimiterResult(rejection) || !fallback) throw rejection;
        reportStoreError(rejection);
        return await fallback.consume(identity);
      }
    };
    try {
      const result = await consume();
      return headers(result.remainingPoints, result.msBeforeNext);
    } catch (rejection) {
      if (isLimiterResult(rejection)) {
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new AccessTokenError('RATE_LIMITED', `Too many tokens: try again in ${retryAfter} s.`, {
          headers: { 'retry-after': String(retryAfter), ...headers(0, rejection.msBeforeNext) },
        });
      }
      throw new AccessTokenError('RATE_LIMIT_UNAVAILABLE', 'Tokens cannot be issued right now. Try again shortly.', {
        cause: rejection,
        headers: { 'retry-after': '1' },
      });
    }
  };
}
