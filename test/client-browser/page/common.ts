// What every page script shares: a token source on the test server's route that records what
// reaches onError, a log of the SDK events the page saw, and the hook the test drives on window.
import { createTokenSource, type TokenSource, type TokenSourceOptions } from '@grantor/client';

export interface ErrorRecord {
  name: string;
  message: string;
  code?: string;
  status?: number;
  retryable?: boolean;
}

export interface PageRecord {
  /** The SDK's own events as the page saw them (expiry events, states). */
  events: string[];
  /** What reached the token source's onError. */
  errors: ErrorRecord[];
}

/** The page's token source: made with `refreshMargin`, asked `getTokenCalls` times, one after the other. */
export interface SourceOptions {
  refreshMargin?: number;
  getTokenCalls?: number;
}

/** What a page's `start()` is told (the source is made first if `tokens()` did not make it). */
export interface StartOptions {
  /** Voice's Device option: how long before the token's expiry (by the server's word) it raises tokenWillExpire. */
  tokenRefreshMs?: number;
}

export interface Tokens {
  /** The last call's token. */
  token: string;
  /** How many different tokens the calls answered. */
  distinct: number;
}

export const record: PageRecord = { events: [], errors: [] };

export function describeError(error: unknown): ErrorRecord {
  const { name = 'unknown', message = String(error), code, status, retryable } = (error ?? {}) as Partial<ErrorRecord>;
  return { name, message, code, status, retryable };
}

export function tokenSource(params: Record<string, unknown>, options: Partial<TokenSourceOptions> = {}): TokenSource {
  return createTokenSource({ url: '/api/token', params, onError: (error) => record.errors.push(describeError(error)), ...options });
}

let source: TokenSource | undefined;

/** The page's source for `params` (made on first use). */
export const pageSource = (params: Record<string, unknown>, { refreshMargin }: SourceOptions = {}) => (source ??= tokenSource(params, { refreshMargin }));

/** Makes the page's source and calls getToken() `getTokenCalls` times in a row. */
export async function getTokens(params: Record<string, unknown>, options: SourceOptions = {}): Promise<Tokens> {
  const tokens = new Set<string>();
  let token = '';
  for (let call = 0; call < (options.getTokenCalls ?? 1); call++) tokens.add((token = (await pageSource(params, options).getToken()).token));
  return { token, distinct: tokens.size };
}

/** Drops the page's source (after closing it): the next one is a new source, as after a login. */
export function forgetSource(): void {
  source = undefined;
}

/** Logs each of `names` when `emitter` raises it. */
export function logEvents(emitter: { on(event: string, listener: (...args: unknown[]) => void): unknown }, names: string[]): void {
  for (const name of names) emitter.on(name, (...args) => record.events.push(args.length && typeof args[0] === 'string' ? `${name}:${args[0]}` : name));
}

/** Puts the page's hooks on window and tells the test the page is ready. */
export function expose(harness: object): void {
  Object.assign(window, { harness, record, harnessReady: true });
}
