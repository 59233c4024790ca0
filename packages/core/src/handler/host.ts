import { AccessTokenError } from '../errors.js';
import { header } from './response.js';
import type { TokenRequest } from './types.js';

/** Characters that end or split a URL's authority: a Host with one names more than a host and port. */
const OUTSIDE_AUTHORITY = /[\s/\\?#@]/;

/** Whether a URL can hold `host` as its host and port, and nothing else. */
function isHostAndPort(host: string): boolean {
  if (host === '' || OUTSIDE_AUTHORITY.test(host)) return false;
  try {
    new URL(`http://${host}/`);
    return true;
  } catch {
    return false;
  }
}

/**
 * RFC 9112 §3.2: a request whose Host is not a valid host and port is the client's mistake, answered
 * 400; an empty one too, since an http URL may not have an empty host (RFC 9110 §4.2.1). Valid is what
 * a URL can hold, the test frameworks and auth libraries apply when they build the request's URL from
 * Host (Auth.js's `getSession`, Next, React Router, h3), so nothing the route calls (`getUser`, the
 * policy) throws on one. Without a Host (HTTP/2's `:authority` instead, or a fetch Request's URL) there
 * is nothing to check.
 */
export function checkHost(headers: TokenRequest['headers']): void {
  const host = header(headers, 'host');
  if (host !== undefined && !isHostAndPort(host.trim())) throw new AccessTokenError('BAD_REQUEST', 'The Host header is not a valid host and port.');
}
