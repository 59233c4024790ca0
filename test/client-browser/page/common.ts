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

export const record: PageRecord = { events: [], errors: [] };

export function describeError(error: unknown): ErrorRecord {
  const { name = 'unknown', message = String(error), code, status, retryable } = (error ?? {}) as Partial<ErrorRecord>;
  return { name, message, code, status, retryable };
}

export function tokenSource(params: Record<string, unknown>, options: Partial<TokenSourceOptions> = {}): TokenSource {
  return createTokenSource({ url: '/api/token', params, onError: (error) => record.errors.push(describeError(error)), ...options });
}

/** Logs each of `names` when `emitter` raises it. */
export function logEvents(emitter: { on(event: string, listener: (...args: unknown[]) => void): unknown }, names: string[]): void {
  for (const name of names) emitter.on(name, (...args) => record.events.push(args.length && typeof args[0] === 'string' ? `${name}:${args[0]}` : name));
}

/** Puts the page's hooks on window and tells the test the page is ready. */
export function expose(harness: object): void {
  Object.assign(window, { harness, record, harnessReady: true });
}
