/**
 * Characters that end a log line or change what a terminal shows: C0 and C1 controls, DEL, line and
 * paragraph separators, and invisible or direction-changing format characters.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * Text from a client or a token as a double-quoted JSON string with every unsafe character escaped
 * (`\n`, `\u001b`, `\u2028`), so it can go into a message, a log line or a terminal without forging one.
 */
export function quoted(text: string): string {
  return JSON.stringify(text).replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The widest time a Date holds: 8.64e15 ms either side of 1970 (ECMAScript's time value range). */
const MAX_DATE_MS = 8.64e15;

/**
 * A Unix time in seconds as ISO 8601, for messages; never throws: a time no Date can hold (a token
 * may claim any number) is shown as the number itself.
 */
export function unixTimeText(seconds: number): string {
  const ms = seconds * 1000;
  return Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : `Unix time ${seconds} (outside the dates JavaScript can show)`;
}
