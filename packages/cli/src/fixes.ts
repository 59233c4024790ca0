import type { AccessTokenErrorCode } from '@grantor/core';

/** What to do about each problem, keyed by grantor's error code (the message says what is wrong). */
export const FIXES: Partial<Record<AccessTokenErrorCode, string>> = {
  INVALID_ACCOUNT_SID: 'Set TWILIO_ACCOUNT_SID to your Account SID ("AC" + 32 hex), shown on the Twilio Console home page.',
  INVALID_API_KEY_SID:
    'Set TWILIO_API_KEY_SID to a standard API key SID ("SK" + 32 hex) from Console > Account > API keys; an Auth Token cannot sign Access Tokens.',
  INVALID_API_KEY_SECRET: "Set TWILIO_API_KEY_SECRET (or --secret-file) to the key's secret; it is shown once, when the key is created.",
  INVALID_IDENTITY: 'Use an identity of 1 to 256 characters that names the user, e.g. their user ID.',
  INVALID_VOICE_IDENTITY:
    'Give Voice users a client name of letters, digits and "_": voiceIdentity(userId) from @grantor/core maps any ID (e.g. "auth0|64f1") to one, or leave the Voice grant out.',
  INVALID_TTL: 'Use a ttl of whole seconds, from 1 to 86400.',
  TTL_TOO_LONG: 'Use a ttl of at most 86400 s (24 h) and fetch a new token before it expires.',
  INVALID_NBF: 'Use a not-before time in Unix seconds that is before the expiry, or leave it out.',
  INVALID_JTI: 'Use a jti of 1 to 256 characters, or leave it out to get a unique one.',
  INVALID_REGION: 'Use a Twilio region code such as us1, ie1 or au1, matching the region your SDK connects to.',
  INVALID_GRANT: 'Fix the grant named above: each SID needs its own two-letter prefix and 32 hex characters, copied from the Console.',
  NO_GRANTS: 'Add the grant of the product you use: video, voice, chat (Conversations), sync, taskRouter or playback.',
  UNSUPPORTED_ALGORITHM: 'Sign with HS256, the only algorithm Twilio accepts (in twilio-node, call toJwt() with no argument).',
  MALFORMED_TOKEN: 'Pass the whole token: three base64url parts separated by dots. Check that your token route returned a token, not an error page.',
  INVALID_HEADER: 'Mint with a Twilio helper library or grantor: a generic JWT library does not set cty "twilio-fpa;v=1" and typ "JWT".',
  UNKNOWN_ISSUER: "Sign with an existing standard API key (SK...) of this account; a deleted key, or another account's key, is rejected.",
  INVALID_SUBJECT: "Set sub to the Account SID (AC...) that owns the API key; a subaccount's key needs the subaccount's SID.",
  INVALID_SIGNATURE: 'Sign with the secret of the API key named in iss. A lost secret cannot be shown again: create a new API key.',
  TOKEN_EXPIRED: 'Fetch a new token, and refresh it before it expires (the SDKs emit "tokenAboutToExpire").',
  TOKEN_NOT_YET_VALID: "Sync the minting server's clock (NTP), or leave nbf out.",
  LIFETIME_TOO_LONG: 'Mint with a ttl of at most 86400 s (24 h) and refresh the token instead.',
  INVALID_CLAIMS: 'Mint with a Twilio helper library or grantor, which set jti and exp (Unix seconds).',
};
