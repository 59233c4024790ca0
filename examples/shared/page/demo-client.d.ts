import type { createTokenSource, SourcedToken } from '@grantor/client';

/** A demo route's refusal: the server's message, with its code. */
export interface DemoRouteError extends Error {
  code: string;
}
export function call<T = any>(method: string, path: string, body?: unknown): Promise<T>;
export function decodeClaims(token: string): { grants?: Record<string, unknown>; [claim: string]: unknown };
export function formatDuration(seconds: number): string;
export const REFRESH_MARGIN: number;
export function refreshDelay(ttl: number): number;
export const RETRY_AFTER_FAILED_REFRESH: number;

/** A token as it arrived, and when it expires by this computer's clock (ms since the epoch). */
export interface KeptToken extends SourcedToken {
  expiresAtHere: number;
}
export interface TokenKeeper {
  request(params: Record<string, unknown>): Promise<void>;
  drop(): void;
  close(): void;
}
export function keepTokens(create: typeof createTokenSource, handlers: { onToken(token: KeptToken): void; onError(error: unknown): void }): TokenKeeper;
export function describeError(error: unknown): { message: string; code: string };
export function copyText(text: string): Promise<void>;
