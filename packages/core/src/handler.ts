import { body, checkExact, matchedData, type ValidationChain, validationResult } from 'express-validator';
import { AccessTokenError, type AccessTokenErrorCode, httpStatusOf, type ValidationErrorDetail } from './errors.js';
import { type GrantsInput, VIDEO_ROOM_MAX_LENGTH } from './grants.js';
import { type ApiKey, createSigner, type Signer } from './token.js';
import { checkMaxTtl, checkTtl, DEFAULT_TTL, MAX_TTL, normalizeIdentity } from './validate.js';

/** What a policy returns: the grants to issue (and optionally a shorter ttl), or a refusal. */
export type PolicyDecision = { grants: GrantsInput; ttl?: number } | false | { deny: string };

export interface PolicyContext<TUser, TRequest> {
  /** The authenticated app user. */
  user: TUser;
  /** The Twilio identity the token will carry (from the `identity` option). */
  identity: string;
  /** The validated request params (express-validator's `matchedData`): `room` and your own fields. */
  params: Record<string, unknown>;
  /** The framework's request: Express `req`, Koa `ctx`, or the Web `Request`. */
  request: TRequest;
}

export interface IssuedEvent<TUser = unknown, TRequest = unknown> {
  identity: string;
  /** Grant keys in the token, e.g. `['video']`. */
  grants: string[];
  jti: string;
  keySid: string;
  expiresAt: Date;
  ttl: number;
  user: TUser;
  request: TRequest;
}

export interface DeniedEvent<TUser = unknown, TRequest = unknown> {
  /** Present once the user is known. */
  identity?: string;
  code: AccessTokenErrorCode;
  status: number;
  /** Why the request was refused (the message sent to the client). */
  reason: string;
  user?: TUser;
  request: TRequest;
}

export interface TokenHandlerOptions<TUser = unknown, TRequest = unknown> {
  /**
   * Your Account SID and API key(s). The first key signs; give `keys` a list to rotate. Or pass `signer`.
   * @default undefined: give either `credentials` or `signer`
   */
  credentials?: { accountSid: string; keys: ApiKey | readonly ApiKey[]; region?: string };
  /**
   * A ready signer from `createSigner()`, instead of `credentials`.
   * @default undefined: give either `credentials` or `signer`
   */
  signer?: Signer;
  /**
   * Decides what the user may do: return `{ grants, ttl? }` to issue a token, `false` or
   * `{ deny: 'reason' }` to refuse with 403. May be async. A thrown error answers 500.
   */
  policy: (context: PolicyContext<TUser, TRequest>) => PolicyDecision | Promise<PolicyDecision>;
  /**
   * How a user becomes a Twilio identity. The identity never comes from the client.
   * @default (user) => String(user.id)
   */
  identity?: (user: TUser) => string | number;
  /**
   * Token lifetime in seconds when the policy gives none.
   * @default 3600
   */
  ttl?: number;
  /**
   * The longest lifetime issued, in seconds (at most 86400). A longer policy ttl is capped to it.
   * @default 86400
   */
  maxTtl?: number;
  /**
   * Accepted methods. `GET` reads params from the query string; enable it only if you must.
   * @default ['POST']
   */
  methods?: readonly ('POST' | 'GET')[];
  /**
   * When set, a request whose `Origin` is not listed, or whose `Sec-Fetch-Site` is `cross-site`,
   * gets 403: CSRF defence for cookie sessions. Requests without those headers (curl, servers) pass.
   * @default undefined (no origin check)
   */
  allowedOrigins?: readonly string[];
  /**
   * Your own express-validator chains for extra params, e.g. `[body('device').isIn(['web', 'ios'])]`.
   * Params are validated in the `body` location (for GET, the query string). Unknown params get 400.
   * @default []
   */
  validators?: readonly ValidationChain[];
  /**
   * The largest JSON body grantor reads, in bytes; larger bodies get 413. When your app's own body
   * parser already parsed the body (e.g. `express.json()` before the route), that parser's limit applies.
   * @default 8192
   */
  bodyLimit?: number;
  /**
   * Called after a token is issued, with metadata only (never the token). A throw answers 500.
   * @default undefined (no audit)
   */
  onIssued?: (event: IssuedEvent<TUser, TRequest>) => void | Promise<void>;
  /**
   * Called for every refused request (4xx), with the reason. A throw answers 500.
   * @default undefined (no audit)
   */
  onDenied?: (event: DeniedEvent<TUser, TRequest>) => void | Promise<void>;
  /**
   * Called with every 500's cause. Log it here; the client only sees a generic message.
   * @default logs one line (code and message, no stack) to console.error
   */
  onError?: (error: unknown, request: TRequest) => void | Promise<void>;
}

/** A request as the adapter sees it. */
export interface TokenRequest<TUser = unknown, TRequest = unknown> {
  method: string;
  /** Header values by lower-case name. */
  headers: Record<string, string | string[] | undefined>;
  /** The authenticated user, or null/undefined when nobody is logged in. Or give `getUser`. */
  user?: TUser | null | undefined;
  /** Looks the user up; adapters pass this so a failing lookup answers 500 through `onError`. */
  getUser?: () => TUser | null | undefined | Promise<TUser | null | undefined>;
  /** The parsed query string (used for GET). */
  query?: Record<string, unknown>;
  /** The body: already parsed by the app's body parser, or a stream for grantor to read. */
  body?: { parsed: unknown } | { stream: AsyncIterable<Uint8Array> };
  /** The framework's own request object, handed to the policy and the hooks. */
  request: TRequest;
}

/** The response for the adapter to write: `body` is the JSON text. */
export interface TokenResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface TokenHandler<TUser = unknown, TRequest = unknown> {
  handle(request: TokenRequest<TUser, TRequest>): Promise<TokenResponse>;
  readonly methods: readonly string[];
}

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'content-type': 'application/json; charset=utf-8',
  'x-content-type-options': 'nosniff',
} as const;

// Counted in UTF-16 units, as VideoGrant counts it: a room the route accepts is one the grant accepts.
const isRoomName = (room: unknown): boolean => typeof room === 'string' && room.length >= 1 && room.length <= VIDEO_ROOM_MAX_LENGTH;
const ROOM_CHAIN = body('room')
  .optional()
  .isString()
  .withMessage('room must be a string')
  .bail()
  .custom(isRoomName)
  .withMessage(`room must be 1 to ${VIDEO_ROOM_MAX_LENGTH} characters`);

/**
 * True when ROOM_CHAIN alone would pass these params unchanged: nothing, or only a valid `room`.
 * Such requests (most of them, on a route without app validators) skip express-validator, which
 * costs about 15 µs per request.
 */
function isValidRoomOnly(params: Record<string, unknown>): boolean {
  const keys = Object.keys(params);
  return keys.length === 0 || (keys.length === 1 && keys[0] === 'room' && isRoomName(params.room));
}

function respond(status: number, payload: unknown, extraHeaders: Record<string, string> = {}): TokenResponse {
  return { status, headers: { ...BASE_HEADERS, ...extraHeaders }, body: JSON.stringify(payload) };
}

function errorResponse(error: AccessTokenError, extraHeaders?: Record<string, string>): TokenResponse {
  const { code, message, details } = error;
  return respond(error.status, { error: details ? { code, message, details } : { code, message } }, extraHeaders);
}

function header(headers: TokenRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const isJson = (contentType: string): boolean => /^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(contentType.trim());

const unknownParamsMessage = (paths: string[]) =>
  `Unknown parameter${paths.length > 1 ? 's' : ''} ${paths.map((path) => `"${path}"`).join(', ')}. This route accepts "room" and the params named in its validators option`;

const tooLargeError = (limit: number) => new AccessTokenError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);

async function readStream(stream: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > limit) throw tooLargeError(limit);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

const notJsonError = () => new AccessTokenError('UNSUPPORTED_MEDIA_TYPE', 'Send the params as JSON, with Content-Type: application/json.');

/** The params the client sent: the JSON body for POST, the query string for GET. */
async function readParams(request: TokenRequest<any, any>, limit: number): Promise<Record<string, unknown>> {
  if (request.method === 'GET') return { ...request.query };
  const contentType = header(request.headers, 'content-type');
  if (contentType !== undefined && !isJson(contentType)) throw notJsonError();
  if (Number(header(request.headers, 'content-length')) > limit) throw tooLargeError(limit);
  let parsed: unknown;
  if (request.body && 'parsed' in request.body) {
    parsed = request.body.parsed;
  } else {
    const text = request.body ? await readStream(request.body.stream, limit) : '';
    if (text.trim() === '') return {};
    if (contentType === undefined) throw notJsonError();
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AccessTokenError('BAD_REQUEST', 'The request body is not valid JSON.');
    }
  }
  if (parsed === undefined) return {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AccessTokenError('BAD_REQUEST', 'The request body must be a JSON object, e.g. {"room":"lobby"}.');
  }
  return { ...(parsed as Record<string, unknown>) };
}

/** Origins are compared exactly, so each must be a bare origin such as `https://app.example.com`. */
function checkAllowedOrigins(allowedOrigins: unknown): void {
  if (allowedOrigins === undefined) return;
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
}

/**
 * The `allowedOrigins` rule, for your own cookie-authenticated routes too (login, logout): false when
 * the request says it is cross-site (`Sec-Fetch-Site`) or names an `Origin` not listed. Requests without
 * an `Origin` (curl, servers) pass; an empty header counts as missing. Always true without a list.
 */
export function isAllowedOrigin(header: (name: string) => string | null | undefined, allowedOrigins: readonly string[] | undefined): boolean {
  if (!allowedOrigins) return true;
  const origin = header('origin') || undefined;
  return header('sec-fetch-site') !== 'cross-site' && (origin === undefined || allowedOrigins.includes(origin));
}

function checkOrigin(headers: TokenRequest['headers'], allowedOrigins: readonly string[] | undefined): void {
  if (!isAllowedOrigin((name) => header(headers, name), allowedOrigins)) {
    throw new AccessTokenError('ORIGIN_NOT_ALLOWED', 'Requests from this origin may not get tokens.');
  }
}

function defaultIdentity(user: unknown): string | number {
  const id = (user as { id?: unknown } | null)?.id as string | number;
  if (typeof id !== 'string' && !Number.isInteger(id)) {
    throw new AccessTokenError('INVALID_OPTIONS', 'The user has no string or integer `id`; pass an identity(user) option.');
  }
  return id;
}

function logError(error: unknown): void {
  const summary = error instanceof AccessTokenError ? `${error.code}: ${error.message}` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(`[grantor] token request failed with 500. ${summary}`);
}

/**
 * The token route without a framework: turns a request description into `{ status, headers, body }`.
 * It checks the method, origin, user, body and params, runs the policy, signs and audits.
 * Configuration errors throw here, at start-up.
 */
export function createTokenHandler<TUser = unknown, TRequest = unknown>(
  options: TokenHandlerOptions<TUser, TRequest>,
): TokenHandler<TUser, TRequest> {
  if (typeof options?.policy !== 'function') {
    throw new AccessTokenError('INVALID_OPTIONS', 'A token route needs a policy({ user, params }) function that returns the grants to issue.');
  }
  if (!options.signer === !options.credentials) {
    throw new AccessTokenError('INVALID_OPTIONS', 'A token route needs either credentials ({ accountSid, keys }) or a signer, not both.');
  }
  checkAllowedOrigins(options.allowedOrigins);
  const maxTtl = Math.min(options.maxTtl === undefined ? MAX_TTL : checkMaxTtl(options.maxTtl), options.signer?.maxTtl ?? MAX_TTL);
  const defaultTtl = checkTtl(options.ttl ?? Math.min(options.signer?.defaultTtl ?? DEFAULT_TTL, maxTtl), maxTtl);
  const signer = options.signer ?? createSigner({ ...options.credentials!, maxTtl, defaultTtl });
  const methods = options.methods ?? ['POST'];
  if (methods.length === 0 || methods.some((method) => method !== 'POST' && method !== 'GET')) {
    throw new AccessTokenError('INVALID_OPTIONS', `methods may hold only "POST" and "GET" (got ${JSON.stringify(methods)}).`);
  }
  const bodyLimit = options.bodyLimit ?? 8192;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1) throw new AccessTokenError('INVALID_OPTIONS', 'bodyLimit must be a positive whole number of bytes.');
  const toIdentity = options.identity ?? defaultIdentity;
  const chains = [ROOM_CHAIN, ...(options.validators ?? [])];
  const exact = checkExact(chains, {
    locations: ['body'],
    message: (fields: { path: string }[]) => unknownParamsMessage(fields.map((field) => field.path)),
  });
  const onError = options.onError ?? logError;

  const hasAppValidators = chains.length > 1;

  async function validate(params: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!hasAppValidators && isValidRoomOnly(params)) return params;
    const fakeRequest = { body: params };
    // checkExact runs the chains it is given, then looks for unknown fields.
    await exact.run(fakeRequest);
    const result = validationResult(fakeRequest);
    if (!result.isEmpty()) {
      const details = result.array() as ValidationErrorDetail[];
      throw new AccessTokenError('BAD_REQUEST', `Invalid request: ${details.map((detail) => String(detail.msg).replace(/\.$/, '')).join('; ')}.`, { details });
    }
    const matched = matchedData(fakeRequest, { locations: ['body'] });
    // checkExact misses params named like Object.prototype members ("toString", "constructor").
    const unknown = Object.keys(params).filter((key) => !Object.hasOwn(matched, key));
    if (unknown.length > 0) {
      const msg = unknownParamsMessage(unknown);
      const fields = unknown.map((path) => ({ path, value: params[path], location: 'body' }));
      throw new AccessTokenError('BAD_REQUEST', `Invalid request: ${msg}.`, { details: [{ type: 'unknown_fields', msg, fields }] });
    }
    return matched;
  }

  async function handle(request: TokenRequest<TUser, TRequest>): Promise<TokenResponse> {
    let identity: string | undefined;
    let user: TUser | undefined;
    try {
      if (!methods.includes(request.method as 'POST')) {
        throw new AccessTokenError('METHOD_NOT_ALLOWED', `Use ${methods.join(' or ')} to get a token.`);
      }
      checkOrigin(request.headers, options.allowedOrigins);
      user = (request.getUser ? await request.getUser() : request.user) ?? undefined;
      if (user === undefined || (user as unknown) === false) throw new AccessTokenError('UNAUTHENTICATED', 'Log in to get a token.');
      identity = normalizeIdentity(toIdentity(user));
      const received = await readParams(request, bodyLimit);
      // The identity is the server's decision; a client-sent one is dropped, never trusted.
      delete received.identity;
      const params = await validate(received);
      const decision = await options.policy({ user, identity, params, request: request.request });
      if (decision === false || (decision && 'deny' in decision)) {
        const reason = decision ? decision.deny : 'You may not get a token for this request.';
        throw new AccessTokenError('FORBIDDEN', reason || 'You may not get a token for this request.');
      }
      if (!decision || typeof decision !== 'object' || !('grants' in decision)) {
        throw new AccessTokenError('INVALID_OPTIONS', 'The policy must return { grants, ttl? }, false, or { deny: reason }.');
      }
      const ttl = Math.min(decision.ttl ?? defaultTtl, maxTtl);
      const issued = signer.sign({ identity, grants: decision.grants, ttl });
      await options.onIssued?.({
        identity: issued.identity,
        grants: issued.grantKeys,
        jti: issued.jti,
        keySid: issued.keySid,
        expiresAt: issued.expiresAt,
        ttl: issued.ttl,
        user,
        request: request.request,
      });
      return respond(200, { token: issued.token, identity: issued.identity, expiresAt: issued.expiresAt.toISOString(), ttl: issued.ttl });
    } catch (error) {
      return await failure(error, request, user, identity);
    }
  }

  async function failure(error: unknown, request: TokenRequest<TUser, TRequest>, user: TUser | undefined, identity: string | undefined): Promise<TokenResponse> {
    if (error instanceof AccessTokenError && httpStatusOf(error.code) < 500) {
      try {
        await options.onDenied?.({ identity, code: error.code, status: error.status, reason: error.message, user, request: request.request });
      } catch (hookError) {
        return internalError(hookError, request);
      }
      return errorResponse(error, error.code === 'METHOD_NOT_ALLOWED' ? { allow: methods.join(', ') } : undefined);
    }
    return internalError(error, request);
  }

  function internalError(error: unknown, request: TokenRequest<TUser, TRequest>): TokenResponse {
    // A failing logger, sync or async, must not turn a 500 into a crash.
    try {
      Promise.resolve(onError(error, request.request)).catch(() => {});
    } catch {}
    return errorResponse(new AccessTokenError('INTERNAL_ERROR', 'The token could not be issued. The server log has the cause.'));
  }

  return { handle, methods };
}
