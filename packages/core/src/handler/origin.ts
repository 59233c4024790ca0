import { AccessTokenError } from '../errors.js';
import { header } from './response.js';
import type { TokenRequest } from './types.js';

/** Origins are compared exactly, so each must be a bare origin such as `https://app.example.com`. */
export function checkAllowedOriginsOption(allowedOrigins: unknown): readonly string[] | undefined {
  if (allowedOrigins === undefined) return undefined;
  const isOrigin = (origin: unknown) => {
    try {
      return typeof origin === 'string' && new URL(origin).origin === origin;
    } catch {
      return false;
    }
  };
  if (!Array.isArray(allowedOrigins) || !allowedOrigins.every(isOrigin)) {
    throw new AccessTokenError(
      'INVALID_OPTIONS',
      `allowedOrigins must be a list of origins such as ["https://app.example.com"]: scheme, host and port, no path or trailing slash (got ${JSON.stringify(allowedOrigins)}).`,
    );
  }
  return allowedOrigins;
}

/**
 * The `allowedOrigins` rule, for your own cookie-authenticated routes too (login, logout): false when
 * the request says it is cross-site (`Sec-Fetch-Site`) or names an `Origin` not listed. Requests without
 * an `Origin` (curl, servers) pass; an empty header counts as missing. Always true without a list.
 * `header(name)` returns a request header by lower-case name, e.g. `(name) => req.get(name)` in Express.
 */
export function isAllowedOrigin(header: (name: string) => string | null | undefined, allowedOrigins: readonly string[] | undefined): boolean {
  if (!allowedOrigins) return true;
  const origin = header('origin') || undefined;
  return header('sec-fetch-site') !== 'cross-site' && (origin === undefined || allowedOrigins.includes(origin));
}

export function checkOrigin(headers: TokenRequest['headers'], allowedOrigins: readonly string[] | undefined): void {
  if (!isAllowedOrigin((name) => header(headers, name), allowedOrigins)) {
    throw new AccessTokenError('ORIGIN_NOT_ALLOWED', 'Requests from this origin may not get tokens.');
  }
}
