import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { MAX_VOICE_IDENTITY_LENGTH } from './validate.js';

const KEPT = /[A-Za-z0-9]/;

/** The escaped form: letters and digits as they are, every other UTF-16 code unit as an `_` sequence. */
function escape(subject: string): string {
  let escaped = '';
  for (let i = 0; i < subject.length; i++) {
    const char = subject[i]!;
    const unit = subject.charCodeAt(i);
    if (KEPT.test(char)) escaped += char;
    else if (char === '_') escaped += '__';
    else if (unit <= 0xff) escaped += `_${unit.toString(16).padStart(2, '0')}`;
    else escaped += `_u${unit.toString(16).padStart(4, '0')}`;
  }
  return escaped;
}

/**
 * A Twilio Voice identity (only `[A-Za-z0-9_]`, at most 121 characters) for any user id, such as an
 * identity provider's subject (`auth0|64f1c2…`, `google-oauth2|1057…`, a Cognito UUID). Two different
 * ids never give the same identity: letters and digits are kept, `_` becomes `__`, any other character
 * `_` + two hex digits (`|` → `_7c`, `-` → `_2d`), or `_u` + four beyond U+00FF. An id whose escaped form
 * would be longer than 121 characters becomes `_h` + the SHA-256 of that form in hex (66 characters),
 * which no escaped form can be (after `_` comes `_`, `u` or a hex digit, never `h`): distinct among
 * themselves as far as SHA-256 has no collision. Use it as the route's `identity` option:
 * `identity: (user) => voiceIdentity(user.id)`.
 */
export function voiceIdentity(id: string): string {
  const escaped = escape(String(id));
  if (escaped.length <= MAX_VOICE_IDENTITY_LENGTH) return escaped;
  return `_h${bytesToHex(sha256(new TextEncoder().encode(escaped)))}`;
}
