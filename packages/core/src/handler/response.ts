import { AccessTokenError } from '../errors.js';
import type { TokenRequest, TokenResponse } from './types.js';

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'content-type': 'application/json; charset=utf-8',
  'x-content-type-options': 'nosniff',
} as const;

/** Every answer of the route, success or error: JSON, never cached, never sniffed. */
export function respond(status: number, payload: unknown, extraHeaders: Record<string, string> = {}): TokenResponse {
  return { status, headers: { ...BASE_HEADERS, ...extraHeaders }, body: JSON.stringify(payload) };
}

export function errorResponse(error: AccessTokenError): TokenResponse {
  const { code, message, details } = error;
  return respond(error.status, { error: details ? { code, message, details } : { code, message } }, error.headers);
}

/** A header's first value, by lower-case name. */
export function header(headers: TokenRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
