import type { AccessTokenErrorCode } from '../errors.js';
import type { GrantsInput } from '../grants.js';
import type { ApiKey, Signer } from '../token.js';
import type { RateLimitStep, RateLimitWindow, SharedRateLimit, TokenRateLimiter } from './limit.js';

/** What a policy returns: the grants to issue (and optionally a shorter ttl), or a refusal. */
export type PolicyDecision = { grants: GrantsInput; ttl?: number | undefined } | false | { deny: string };

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
  identity?: string | undefined;
  code: AccessTokenErrorCode;
  status: number;
  /** Why the request was refused (the message sent to the client). */
  reason: string;
  user?: TUser | undefined;
  request: TRequest;
}

/** Your Account SID and API key(s), as the token route takes them. */
export interface TokenRouteCredentials {
  accountSid: string;
  keys: ApiKey | readonly ApiKey[];
  region?: string | undefined;
}

/** Every option but `identity`, whose presence depends on the user type (see `TokenHandlerOptions`). */
export interface TokenHandlerBaseOptions<TUser = unknown, TRequest = unknown> {
  /**
   * Your Account SID and API key(s). The first key signs; give `keys` a list to rotate. Or pass `signer`.
   * Their values are checked on the first request, not when the route is created, so a build that
   * imports the route module (SvelteKit, Next.js, React Router, a Docker image) needs no secrets; while
   * one is missing or malformed every request answers 500 and `onError` gets the error naming it. To
   * fail at start-up instead, pass `signer: createSigner(credentials)`, which checks them at once.
   * @default undefined: give either `credentials` or `signer`
   */
  credentials?: TokenRouteCredentials | undefined;
  /**
   * A ready signer from `createSigner()`, instead of `credentials`: its credentials were checked when
   * it was created.
   * @default undefined: give either `credentials` or `signer`
   */
  signer?: Signer | undefined;
  /**
   * Decides what the user may do: return `{ grants, ttl? }` to issue a token, `false` or
   * `{ deny: 'reason' }` to refuse with 403. May be async. A thrown error answers 500.
   */
  policy: (context: PolicyContext<TUser, TRequest>) => PolicyDecision | Promise<PolicyDecision>;
  /**
   * Token lifetime in seconds when the policy gives none.
   * @default 3600
   */
  ttl?: number | undefined;
  /**
   * The longest lifetime issued, in seconds (at most 86400). A longer policy ttl is capped to it.
   * @default 86400
   */
  maxTtl?: number | undefined;
  /**
   * Accepted methods. `GET` reads params from the query string; enable it only if you must.
   * @default ['POST']
   */
  methods?: readonly ('POST' | 'GET')[] | undefined;
  /**
   * Origins such as `https://app.example.com` whose pages may get tokens even from another site: the
   * opt-in for cross-site use (your CORS middleware must allow them too). Without it a browser's
   * request from another site gets 403 (`Sec-Fetch-Site` not `same-origin`, or an `Origin` whose host
   * is not the request's `Host`); requests without those headers (curl, servers, native apps) pass.
   * Each entry is compared exactly with the `Origin` header, so it must be written as browsers send it:
   * an http(s) origin (scheme, host and a non-default port; no path, no trailing slash), or a native web
   * view's `scheme://host` in lower case (`capacitor://localhost`, `ionic://localhost`,
   * `tauri://localhost`). `null` is never accepted. Anything else throws at start-up.
   * @default undefined (same-origin pages and clients without an Origin only)
   */
  allowedOrigins?: readonly string[] | undefined;
  /**
   * Your own express-validator chains for extra params, e.g. `[body('device').isIn(['web', 'ios'])]`.
   * Params are validated in the `body` location (for GET, the query string). Unknown params get 400.
   * express-validator is an optional peer dependency: install it to use this option. Without
   * validators the route accepts `room` only and never loads it.
   * @default []
   */
  validators?: readonly ParamsValidationChain[] | undefined;
  /**
   * The largest request body, in bytes: a larger body gets 413. It holds whoever reads the body: grantor
   * stops reading past it, and when your app's body parser (e.g. an app-wide `express.json()`) already
   * read the body under its own limit, a `Content-Length` over it, or parsed params whose JSON is
   * longer, are refused all the same.
   * @default 8192
   */
  bodyLimit?: number | undefined;
  /**
   * Tokens per identity: `{ points, duration }` for an in-process limit (`points` tokens each `duration`
   * seconds), or a rate-limiter-flexible limiter you configured, such as `RateLimiterRedis`, to share the
   * limit across instances. Counted after the policy allowed the request, before signing (401, 403 and
   * 400 answers never count). Over it: 429 `RATE_LIMITED` with `Retry-After`. When the store fails, 503
   * `RATE_LIMIT_UNAVAILABLE`, or with `{ limiter, whenStoreFails: 'memory' }` an in-process count; the
   * store's error goes to `onError` either way.
   * @default undefined (no limit)
   */
  rateLimit?: TokenRateLimiter | RateLimitWindow | SharedRateLimit | undefined;
  /**
   * Called after a token is issued, with metadata only (never the token). A throw answers 500.
   * @default undefined (no audit)
   */
  onIssued?: ((event: IssuedEvent<TUser, TRequest>) => void | Promise<void>) | undefined;
  /**
   * Called for every refused request (4xx), with the reason. A throw answers 500.
   * @default undefined (no audit)
   */
  onDenied?: ((event: DeniedEvent<TUser, TRequest>) => void | Promise<void>) | undefined;
  /**
   * Called with the cause of every 500 and 503 answer, and with a rate limit store's error that
   * `whenStoreFails: 'memory'` covered. Log it here; the client only sees a generic message.
   * @default logs one line to console.error: what the route answered (`failed with 503 (RATE_LIMIT_UNAVAILABLE)`), then the error's code or name and message, no stack
   */
  onError?: ((error: unknown, request: TRequest) => void | Promise<void>) | undefined;
}

/**
 * An express-validator `ValidationChain`, such as `body('device').isIn(['web', 'ios'])`; declared by its
 * shape so that core's types do not need express-validator installed.
 */
export interface ParamsValidationChain {
  run(request: unknown): Promise<unknown>;
  builder: unknown;
}

/** How a user becomes a Twilio identity. */
export type IdentityOf<TUser> = (user: TUser) => string | number;

/**
 * `identity` may be left out only when the user type has an `id` (or is not known), so a user type
 * without one, such as next-auth's `{ name, email, image }` session user, is a compile error.
 * The optional property is always there, so that an `identity` written after an unannotated
 * `getUser(req)` has its `user` typed: TypeScript cannot type it from the condition alone. (`{}`, not
 * `unknown`, where nothing more is required: with `unknown` TypeScript infers the user from the options.)
 */
export type IdentityOption<TUser> = {
  /**
   * How a user becomes a Twilio identity. The identity never comes from the client.
   * @default (user) => String(user.id)
   */
  identity?: IdentityOf<TUser> | undefined;
} & (unknown extends TUser
  ? {}
  : [TUser] extends [{ id: string | number }]
    ? {}
    : IdentityRequired<TUser, 'the user has no required id: pass identity(user)', `${keyof TUser & string}` & string>);

/**
 * The `identity` option for a user type without an `id`. Its type arguments are for the compile error,
 * which prints them: "Property 'identity' is missing ... but required in type 'IdentityRequired<User,
 * "the user has no required id: pass identity(user)", "name" | "email" | "image">'", the keys the user has.
 */
export interface IdentityRequired<TUser, TReason extends string, TUserKeys extends string> {
  /**
   * How a user becomes a Twilio identity. Required here: your user type has no `id` (string or
   * number) for the default `String(user.id)`. Return the user's stable id, or add one to the user.
   */
  identity: IdentityOf<TUser>;
}

export type TokenHandlerOptions<TUser = unknown, TRequest = unknown> = TokenHandlerBaseOptions<TUser, TRequest> & IdentityOption<TUser>;

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
  query?: Record<string, unknown> | undefined;
  /** The body: already parsed by the app's body parser, or a stream for grantor to read. */
  body?: { parsed: unknown } | { stream: AsyncIterable<Uint8Array> } | undefined;
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
  /**
   * The JSON answer for an error that middleware before the route raised for this request (an app-wide
   * body parser's invalid JSON or too-large body, a CSRF middleware's refusal), or undefined when the
   * error is not such a client error and belongs to the app's error handler.
   */
  handleMiddlewareError(error: unknown, request: TokenRequest<TUser, TRequest>): Promise<TokenResponse | undefined>;
  /**
   * The JSON answer for any error the framework raised for this request around the route (a guard's
   * refusal, a body parser's error), for frameworks where the route owns every answer (Nest's exception
   * filter): a client error as `handleMiddlewareError` answers it, anything else a 500 whose cause goes
   * to `onError`.
   */
  handleRouteError(error: unknown, request: TokenRequest<TUser, TRequest>): Promise<TokenResponse>;
  readonly methods: readonly string[];
}

/** The options once checked, as the pipeline steps use them. */
export interface ResolvedOptions<TUser, TRequest> {
  policy: TokenHandlerBaseOptions<TUser, TRequest>['policy'];
  toIdentity: IdentityOf<TUser>;
  signer: () => Signer;
  defaultTtl: number;
  maxTtl: number;
  methods: readonly string[];
  allowedOrigins: readonly string[] | undefined;
  bodyLimit: number;
  validators: readonly ParamsValidationChain[];
  /** Counts a token for the identity and returns the RateLimit headers; undefined without `rateLimit`. */
  limit: RateLimitStep | undefined;
}
