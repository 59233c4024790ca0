/** A step's result, or the promise of it when the step waits for something (an app's async hook, a body still arriving). */
export type MaybePromise<T> = T | PromiseLike<T>;

export const isPromiseLike = <T>(value: MaybePromise<T>): value is PromiseLike<T> => typeof (value as PromiseLike<T> | null | undefined)?.then === 'function';

/**
 * `next(value)` at once for a value, after it resolves for a promise: the pipeline's steps mostly
 * answer synchronously, and an `await` on each would cost a turn of the microtask queue and a
 * promise per step on every request.
 */
export const settle = <T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> =>
  isPromiseLike(value) ? value.then(next) : next(value);
