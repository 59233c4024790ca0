/** A demo route's refusal: the server's message, with its code. */
export interface DemoRouteError extends Error {
  code: string;
}
export function call<T = any>(method: string, path: string, body?: unknown): Promise<T>;
export function decodeClaims(token: string): { grants?: Record<string, unknown>; [claim: string]: unknown };
export function formatDuration(seconds: number): string;
export const REFRESH_MARGIN: number;
export function refreshDelay(ttl: number): number;
export function describeError(error: unknown): { message: string; code: string };
export function copyText(text: string): Promise<void>;
