import { AccessTokenError } from '../errors.js';

/** 401 for a bearer token that was refused; RFC 6750 §3's error code tells OAuth clients to get a new token rather than retry this one. */
export function invalidBearerToken(message: string, cause?: unknown): AccessTokenError {
  return new AccessTokenError('INVALID_BEARER_TOKEN', message, { cause, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
}
