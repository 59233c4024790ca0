import { AccessTokenError } from '../errors.js';
import { header } from './response.js';
import type { TokenRequest } from './types.js';

/**
 * A native web view's origin as its Origin header says it: `scheme://host`, lower case, with no port,
 * path or trailing slash, in a scheme of its own (Capacitor's `capacitor://localhost`, Ionic's
 * `ionic://localhost`, Tauri's `tauri://localhost`). URL parsing gives these the opaque origin "null".
 */
const WEB_VIEW_ORIGIN = /^(?!(?:https?|file|data|blob|about|javascript|ws|wss|ftp):)[a-z][a-z0-9+.-]*:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

/**
 * Origins are compared exactly with the request's `Origin` header, so each must be written as browsers
 * send it: an http(s) origin (`https://app.example.com`, `http://localhost:5173`: scheme, host and a
 * non-default port, no path or trailing slash), or a native web view's `scheme://host`. Never "null".
 */
export function checkAllowedOriginsOption(allowedOrigins: unknown): readonly string[] | undefined {
  if (allowedOrigins === undefined) return undefined;
  const isOrigin = (origin: unknown) => {
    if (typeof origin !== 'string') return false;
    if (WEB_VIEW_ORIGIN.test(origin)) return true;
    try {
      const url = new URL(origin);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin;
    } catch {
      return false;
    }
  };
  if (!Array.isArray(allowedOrigins) || !allowedOrigins.every(isOrigin)) {
    throw new AccessTokenError(
      'INVALID_OPTIONS',
      `allowedOrigins must be a list of origins as browsers send them in the Origin header: "https://app.example.com" or "http://localhost:5173" (scheme, host and a non-default port, no path or trailing slash), or a native web view's "scheme://host" such as "capacitor://localhost", "ionic://localhost" or "tauri://localhost" (got ${JSON.stringify(allowedOrigins)}).`,
    );
  }
  return allowedOrigins;
}

/** The `host[:port]` an origin names, or undefined for `null` and anything that is not an origin. */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The token route's origin rule, for your own cookie-authenticated routes too (login, logout): false
 * for a request a browser made from another site. An `Origin` listed in `allowedOrigins` passes (the
 * opt-in for pages of other origins, native web views included). Otherwise a browser's
 * `Sec-Fetch-Site` must be `same-origin` (or `none`, typed by the user); a browser without Fetch
 * Metadata must send an `Origin` whose host is the request's `Host` (so not without a `Host`, nor
 * with an empty one). Requests with neither header
 * (curl, servers, native apps) pass; an empty header counts as missing.
 * `header(name)` returns a request header by lower-case name, e.g. `(name) => req.get(name)` in Express.
 */
export function isAllowedOrigin(header: (name: string) => string | null | undefined, allowedOrigins: readonly string[] | undefined): boolean {
  const origin = header('origin') || undefined;
  if (origin !== undefined && allowedOrigins?.includes(origin)) return true;
  const site = header('sec-fetch-site')?.trim().toLowerCase();
  if (site) return site === 'same-origin' || site === 'none';
  if (origin === undefined) return true;
  if (allowedOrigins) return false;
  // The request's own origin is its Host (HTTP/2: :authority). No browser sends one empty or none at
  // all: then no Origin can be the request's own, and the request is refused as a foreign one would be.
  const host = (header('host') || header(':authority'))?.trim().toLowerCase();
  return Boolean(host) && hostOf(origin) === host;
}

export function checkOrigin(headers: TokenRequest['headers'], allowedOrigins: readonly string[] | undefined): void {
  if (!isAllowedOrigin((name) => header(headers, name), allowedOrigins)) {
    throw new AccessTokenError('ORIGIN_NOT_ALLOWED', 'Requests from other sites may not get tokens: list their origin in allowedOrigins to allow them.');
  }
}
