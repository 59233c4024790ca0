import { AccessTokenError, type AccessTokenErrorCode } from '../errors.js';
import { invalidBearerToken } from '../bearer/errors.js';
import { abortedError, invalidJsonError, notAnObjectError, tooLargeError } from './body.js';
import { header } from './response.js';
import type { TokenRequest } from './types.js';

/** The route's code for a client error status that middleware before it may raise. */
const CODE_BY_STATUS: Partial<Record<number, AccessTokenErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

interface HttpError {
  name?: unknown;
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
  limit?: unknown;
  message?: unknown;
  /** The text a body parser could not parse (body-parser's and co-body's parse errors carry it). */
  body?: unknown;
}

function isValidJson(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The route's own error for a client error raised by middleware that ran before it: an app-wide body
 * parser (body-parser's `type`s), CSRF middleware (csurf, csrf-csrf) or Passport with `failWithError`. Errors follow the http-errors
 * convention: a 4xx `status` with `expose: true` has a message meant for the client. Anything else
 * (5xx, plain errors) is the app's, and undefined.
 */
export function middlewareClientError(error: unknown, headers: TokenRequest['headers']): AccessTokenError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, status, statusCode, expose, type, limit, message, body } = error as HttpError;
  // Passport's `failWithError: true` refusal: a bearer token its strategy (passport-jwt...) refused, or nobody logged in.
  if (name === 'AuthenticationError' && status === 401) {
    return /^Bearer\s/i.test(header(headers, 'authorization') ?? '')
      ? invalidBearerToken('The bearer token was refused: get a new one from your identity provider.')
      : new AccessTokenError('UNAUTHENTICATED', 'Log in to get a token.');
  }
  // Strict parsers (express.json()) also refuse valid JSON that is not an object or array, such as null:
  // the body they attach tells the two apart, so the answer is the one the route gives when it reads the body.
  if (type === 'entity.parse.failed') return isValidJson(body) ? notAnObjectError() : invalidJsonError();
  if (type === 'entity.too.large' && typeof limit === 'number') return tooLargeError(limit);
  if (type === 'request.aborted') return abortedError();
  const code = CODE_BY_STATUS[Number(status ?? statusCode)];
  if (!code || expose !== true || typeof message !== 'string') return undefined;
  return new AccessTokenError(code, `Refused before the token route ran: ${message}`);
}
