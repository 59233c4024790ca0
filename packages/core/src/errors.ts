/**
 * Every failure grantor reports: its HTTP status when it ends a token request, and the Twilio error
 * it prevents at mint time or reproduces at verify time. One table, so a code means the same thing
 * in the signer, the verifier, the CLI and every adapter.
 */
export const ERROR_CODES = {
  // Mint-time validation: the app's configuration or policy is wrong, so a token route answers 500.
  INVALID_ACCOUNT_SID: { status: 500, twilioCode: 20103 },
  INVALID_API_KEY_SID: { status: 500, twilioCode: 20103 },
  INVALID_API_KEY_SECRET: { status: 500, twilioCode: 20107 },
  INVALID_IDENTITY: { status: 500, twilioCode: 54351 },
  INVALID_VOICE_IDENTITY: { status: 500, twilioCode: 31105 },
  INVALID_TTL: { status: 500, twilioCode: 20104 },
  TTL_TOO_LONG: { status: 500, twilioCode: 20157 },
  INVALID_NBF: { status: 500, twilioCode: 20105 },
  INVALID_JTI: { status: 500, twilioCode: 20101 },
  INVALID_REGION: { status: 500, twilioCode: 20101 },
  INVALID_GRANT: { status: 500, twilioCode: 20106 },
  NO_GRANTS: { status: 500, twilioCode: 20106 },
  UNSUPPORTED_ALGORITHM: { status: 500, twilioCode: 20102 },
  INVALID_OPTIONS: { status: 500, twilioCode: undefined },

  // Verify-time: what Twilio would answer for the token.
  MALFORMED_TOKEN: { status: 401, twilioCode: 20101 },
  INVALID_HEADER: { status: 401, twilioCode: 20102 },
  UNKNOWN_ISSUER: { status: 401, twilioCode: 20103 },
  INVALID_SUBJECT: { status: 401, twilioCode: 20103 },
  INVALID_SIGNATURE: { status: 401, twilioCode: 20107 },
  TOKEN_EXPIRED: { status: 401, twilioCode: 20104 },
  TOKEN_NOT_YET_VALID: { status: 401, twilioCode: 20105 },
  LIFETIME_TOO_LONG: { status: 401, twilioCode: 20157 },
  INVALID_CLAIMS: { status: 401, twilioCode: 20101 },

  // The token route's HTTP contract.
  BAD_REQUEST: { status: 400, twilioCode: undefined },
  UNAUTHENTICATED: { status: 401, twilioCode: undefined },
  FORBIDDEN: { status: 403, twilioCode: undefined },
  ORIGIN_NOT_ALLOWED: { status: 403, twilioCode: undefined },
  METHOD_NOT_ALLOWED: { status: 405, twilioCode: undefined },
  PAYLOAD_TOO_LARGE: { status: 413, twilioCode: undefined },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, twilioCode: undefined },
  // The client went away mid-body: answered (if anyone listens) as a client error, never logged as a 500.
  REQUEST_ABORTED: { status: 400, twilioCode: undefined },
  // The identity asked for more tokens than `rateLimit` allows in its window.
  RATE_LIMITED: { status: 429, twilioCode: undefined },
  // The rate limit store failed: the route fails closed (retryable), the cause goes to onError.
  RATE_LIMIT_UNAVAILABLE: { status: 503, twilioCode: undefined },
  // bearerUser: the client's token from your identity provider is missing a part, invalid, expired or
  // not for this app (answered with `WWW-Authenticate: Bearer error="invalid_token"`, RFC 6750).
  INVALID_BEARER_TOKEN: { status: 401, twilioCode: undefined },
  // bearerUser: the provider's OpenID configuration or JWKS could not be fetched in time. Retryable
  // (`Retry-After`), never a 500 and never a token let through; the cause goes to onError.
  IDENTITY_PROVIDER_UNAVAILABLE: { status: 503, twilioCode: undefined },
  INTERNAL_ERROR: { status: 500, twilioCode: undefined },
} as const satisfies Record<string, { status: number; twilioCode: number | undefined }>;

export type AccessTokenErrorCode = keyof typeof ERROR_CODES;

/** The HTTP status a token route answers for an error code. */
export function httpStatusOf(code: AccessTokenErrorCode): number {
  return ERROR_CODES[code].status;
}

/** One field that failed request validation, in express-validator's shape. */
export interface ValidationErrorDetail {
  type: 'field' | 'alternative' | 'alternative_grouped' | 'unknown_fields';
  path?: string | undefined;
  location?: string | undefined;
  msg: string;
  value?: unknown | undefined;
  [key: string]: unknown;
}

/**
 * The one error type grantor throws. `code` is stable and safe to branch on; `twilioCode` is the
 * Twilio error the failure prevents (at mint time) or that Twilio would answer (at verify time).
 * Messages say what was wrong and how to fix it, and never contain a secret or a token.
 */
export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
  readonly code: AccessTokenErrorCode;
  readonly twilioCode: number | undefined;
  readonly details: ValidationErrorDetail[] | undefined;
  /** Headers a token route sends with this error, e.g. `Allow` with 405, `Retry-After` with 429. */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    code: AccessTokenErrorCode,
    message: string,
    options: { details?: ValidationErrorDetail[]; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.twilioCode = ERROR_CODES[code].twilioCode;
    this.details = options.details;
    this.headers = options.headers;
  }

  /** The HTTP status this error maps to in a token route. */
  get status(): number {
    return httpStatusOf(this.code);
  }
}
