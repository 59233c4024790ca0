export { AccessTokenError, ERROR_CODES, httpStatusOf } from './errors.js';
export type { AccessTokenErrorCode, ValidationErrorDetail } from './errors.js';
export {
  ChatGrant,
  Grant,
  PlaybackGrant,
  SyncGrant,
  TaskRouterGrant,
  VideoGrant,
  VoiceGrant,
} from './grants.js';
export type {
  ChatGrantOptions,
  GrantsInput,
  GrantsSpec,
  PlaybackGrantOptions,
  SyncGrantOptions,
  TaskRouterGrantOptions,
  VideoGrantOptions,
  VoiceGrantOptions,
} from './grants.js';
export { AccessToken, createSigner, TWILIO_CONTENT_TYPE } from './token.js';
export type { AccessTokenOptions, ApiKey, IssuedToken, Signer, SignerOptions, SignOptions } from './token.js';
export { DEFAULT_TTL, MAX_TTL } from './validate.js';
export { decodeAccessToken, inspectAccessToken, verifyAccessToken } from './verify.js';
export type {
  AccessTokenClaims,
  AccessTokenHeader,
  AccessTokenInspection,
  DecodedAccessToken,
  InspectOptions,
  VerifyOptions,
} from './verify.js';
export { BEARER_ALGORITHMS, bearerUser } from './bearer/index.js';
export type { BearerAlgorithm, BearerClaims, BearerUser, BearerUserOptions } from './bearer/index.js';
export { voiceIdentity } from './voice-identity.js';
// What only grantor's adapters use is in ./internal.ts (@grantor/core/internal), not here.
export { createFetchHandler } from './fetch.js';
export type { FetchTokenRoute, FetchTokenRouteOptions, GetUser } from './fetch.js';
export { createTokenHandler, isAllowedOrigin } from './handler/index.js';
export type {
  DeniedEvent,
  IdentityOf,
  IdentityOption,
  IdentityRequired,
  IssuedEvent,
  PolicyContext,
  ParamsValidationChain,
  PolicyDecision,
  RateLimitWindow,
  SharedRateLimit,
  TokenHandler,
  TokenHandlerBaseOptions,
  TokenHandlerOptions,
  TokenRequest,
  TokenRateLimiter,
  TokenResponse,
  TokenRouteCredentials,
} from './handler/index.js';
