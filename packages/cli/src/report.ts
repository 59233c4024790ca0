import type { AccessTokenClaims, AccessTokenError, AccessTokenErrorCode, AccessTokenHeader, AccessTokenInspection, DecodedAccessToken } from '@grantor/core';
import { FIXES } from './fixes.js';
import type { Colors } from './io.js';

/** One thing Twilio (or every Twilio SDK) would reject, with what to do about it. */
export interface Finding {
  code: AccessTokenErrorCode;
  twilioCode: number | undefined;
  message: string;
  fix: string | undefined;
}

/** What `decode --json` and `verify --json` print. */
export interface Report {
  /** True when there is no finding (and, for verify, the signature matched). */
  valid: boolean;
  signatureChecked: boolean;
  header: AccessTokenHeader | null;
  claims: AccessTokenClaims | null;
  /** Most fundamental first: the first one is what Twilio would answer. */
  problems: Finding[];
}

export function toFinding(error: AccessTokenError): Finding {
  return { code: error.code, twilioCode: error.twilioCode, message: error.message, fix: FIXES[error.code] };
}

/**
 * Problems and warnings together: a token without a product grant passes Twilio's checks, but every
 * SDK refuses it, which is the failure the person running this command is chasing.
 */
export function toReport(inspection: AccessTokenInspection): Report {
  const problems = [...inspection.problems, ...inspection.warnings].map(toFinding);
  return {
    valid: problems.length === 0,
    signatureChecked: inspection.signatureChecked,
    header: inspection.decoded?.header ?? null,
    claims: inspection.decoded?.claims ?? null,
    problems,
  };
}

const UNITS = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
] as const;

/** "2h 5m", "59s": the largest unit and the next one when it is not zero. */
export function duration(seconds: number): string {
  const counts = UNITS.map(([unit, size], index) => {
    const above = index === 0 ? Infinity : UNITS[index - 1]![1];
    return [Math.floor((seconds % above) / size), unit] as const;
  });
  const first = Math.max(
    0,
    counts.findIndex(([count]) => count > 0),
  );
  return counts
    .slice(first, first + 2)
    .filter(([count], index) => index === 0 || count > 0)
    .map(([count, unit]) => `${count}${unit}`)
    .join(' ');
}

const isUnixSeconds = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) <= 8.64e12;

export function formatTime(value: unknown, nowSeconds: number): string {
  if (value === undefined) return 'not set';
  if (!isUnixSeconds(value)) return `${JSON.stringify(value)} (not a Unix time in seconds)`;
  const delta = value - nowSeconds;
  const relative = delta === 0 ? 'now' : delta > 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
  return `${new Date(value * 1000).toISOString().replace('.000Z', 'Z')}  (${relative})`;
}

/** DEL, C1 controls, line separators, invisible and direction-changing format characters. */
const BEYOND_C0 = '\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff\\ufff9-\\ufffb';
/** What a token may carry that would end a line or drive the terminal. */
const UNSAFE = new RegExp(`[\\u0000-\\u001f${BEYOND_C0}]`, 'g');
/** The same inside JSON text, whose strings already escape C0 controls (its own newlines stay). */
const UNSAFE_IN_JSON = new RegExp(`[${BEYOND_C0}]`, 'g');
const escape = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Text from a token as it may be printed: every unsafe character as its `\uXXXX` escape, so a claim cannot forge or hide output. */
export const printable = (text: string): string => text.replace(UNSAFE, escape);

/** A report as JSON text that is just as safe to print. */
export const printableJson = (value: unknown): string => JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, escape);

const show = (value: unknown): string => printable(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));

/** A grant's fields as `path: value` pairs, nested objects flattened with dots. */
function grantFields(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [path ? `${printable(path)}: ${show(value)}` : show(value)];
  const entries = Object.entries(value);
  if (entries.length === 0) return [path ? `${printable(path)}: {}` : 'no fields'];
  return entries.flatMap(([key, inner]) => grantFields(inner, path ? `${path}.${key}` : key));
}

// A Map, not an object: grant names come from untrusted tokens, and "constructor" or "__proto__" must not find Object.prototype's.
const PRODUCTS = new Map([
  ['chat', 'Conversations / Chat'],
  ['voice', 'Voice'],
  ['video', 'Video'],
  ['data_sync', 'Sync'],
  ['task_router', 'TaskRouter'],
  ['player', 'Live playback'],
]);

const KNOWN_CLAIMS = new Set(['jti', 'grants', 'iat', 'nbf', 'exp', 'iss', 'sub']);

/** Header and claims as aligned, readable rows. */
export function formatDecoded({ header, claims }: DecodedAccessToken, nowSeconds: number, c: Colors): string {
  const rows: [string, string][] = [
    [
      'Header',
      Object.entries(header)
        .map(([key, value]) => `${printable(key)} ${show(value)}`)
        .join(', '),
    ],
  ];
  const grants = typeof claims.grants === 'object' && claims.grants !== null ? claims.grants : {};
  rows.push(['Identity', grants.identity === undefined ? c.red('missing') : show(grants.identity)]);
  const grantEntries = Object.entries(grants)
    .filter(([key]) => key !== 'identity')
    .map(([key, value]) => [key, printable(key), value] as const);
  const keyWidth = Math.max(0, ...grantEntries.map(([, shown]) => shown.length));
  grantEntries.forEach(([key, shown, value], index) => {
    const product = PRODUCTS.get(key) ?? 'not a product grant';
    rows.push([index === 0 ? 'Grants' : '', `${c.cyan(shown.padEnd(keyWidth))}  ${grantFields(value).join(', ')}  ${c.dim(`(${product})`)}`]);
  });
  if (grantEntries.length === 0) rows.push(['Grants', c.red('none')]);
  rows.push(['Issued', formatTime(claims.iat, nowSeconds)], ['Not before', formatTime(claims.nbf, nowSeconds)]);
  // Only the span between the two rows shown; whether it is too long is core's call (LIFETIME_TOO_LONG).
  const lifetime = isUnixSeconds(claims.exp) && isUnixSeconds(claims.iat) ? `, lifetime ${duration(Math.max(0, claims.exp - claims.iat))}` : '';
  rows.push(['Expires', formatTime(claims.exp, nowSeconds) + lifetime]);
  rows.push(['API key', `${show(claims.iss)} ${c.dim('(iss)')}`], ['Account', `${show(claims.sub)} ${c.dim('(sub)')}`]);
  rows.push(['Token ID', `${show(claims.jti)} ${c.dim('(jti)')}`]);
  for (const [key, value] of Object.entries(claims)) {
    if (!KNOWN_CLAIMS.has(key)) rows.push([printable(key), show(value)]);
  }
  return rows.map(([label, text]) => `${c.bold(label.padEnd(11))} ${text}`).join('\n');
}

/** One finding: Twilio's code, grantor's code, what is wrong and the fix. */
export function formatFinding(finding: Finding, c: Colors): string {
  const twilio = finding.twilioCode === undefined ? '' : `${c.yellow(`Twilio ${finding.twilioCode}`)}  `;
  // Core quotes what it repeats from a token; escaped again here, as the message may name any claim.
  const lines = [`${c.red('✗')} ${twilio}${c.bold(finding.code)}`, `  ${printable(finding.message)}`];
  if (finding.fix) lines.push(`  ${c.green('fix:')} ${finding.fix}`);
  return lines.join('\n');
}

/** The verdict line, then each finding; `accepted` is the line shown when there is none. */
export function formatFindings(findings: readonly Finding[], accepted: string, c: Colors): string {
  const [first] = findings;
  if (!first) return c.green(`✓ ${accepted}`);
  const count = findings.length === 1 ? '1 problem' : `${findings.length} problems`;
  const answer = first.twilioCode === undefined ? first.code : `${first.twilioCode} (${first.code})`;
  return [c.red(`✗ ${count}: Twilio would answer ${answer}.`), ...findings.map((finding) => formatFinding(finding, c))].join('\n\n');
}
