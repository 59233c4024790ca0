import { readFileSync } from 'node:fs';
import pc from 'picocolors';

/** Exit codes of every command, documented in `--help` and the package README. */
export const EXIT = {
  /** Done: token minted, decoded without problems, or verified. */
  ok: 0,
  /** The token (or the token asked for) is one Twilio would reject. */
  rejected: 1,
  /** The command could not run: bad usage, missing or malformed credentials, no input. */
  usage: 2,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  success: token minted, no problems found, or signature and claims valid
  1  the token is one Twilio would reject (or mint refused to make one)
  2  usage error, missing or malformed credentials, or no token given`;

/** A failure of the command itself rather than of the token: exits with `EXIT.usage`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type Colors = ReturnType<typeof pc.createColors>;

/** Colours only on a terminal, and never when NO_COLOR is set to a non-empty value (no-color.org). */
export function colorsFor(stream: NodeJS.WriteStream): Colors {
  return pc.createColors(Boolean(stream.isTTY) && !process.env.NO_COLOR);
}

/** The credential variables, read from the environment; empty values count as unset. */
export function credentialsFromEnv(): { accountSid?: string | undefined; keySid?: string | undefined; secret?: string | undefined } {
  const read = (name: string) => process.env[name]?.trim() || undefined;
  return { accountSid: read('TWILIO_ACCOUNT_SID'), keySid: read('TWILIO_API_KEY_SID'), secret: read('TWILIO_API_KEY_SECRET') };
}

/** Fails with one message naming every missing variable, so a single fix makes the command run. */
export function requireVariables(missing: readonly string[]): void {
  if (missing.length > 0) {
    throw new UsageError(
      `Missing ${missing.join(', ')}: set ${missing.length > 1 ? 'them' : 'it'} in the environment (API keys are in Console > Account > API keys).` +
        (missing.includes('TWILIO_API_KEY_SECRET') ? ' The secret may instead be read from a file with --secret-file.' : ''),
    );
  }
}

/**
 * The API key secret from `--secret-file` when given, else from TWILIO_API_KEY_SECRET. Never from
 * the command line, where it would show in `ps` and the shell history. The value is never printed.
 */
export function readSecret(secretFile: string | undefined, fromEnv: string | undefined): string {
  if (secretFile === undefined) {
    requireVariables(fromEnv ? [] : ['TWILIO_API_KEY_SECRET']);
    return fromEnv!;
  }
  let text: string;
  try {
    text = readFileSync(secretFile, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read --secret-file ${secretFile} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`);
  }
  const secret = text.trim();
  if (!secret) throw new UsageError(`--secret-file ${secretFile} is empty.`);
  return secret;
}

/**
 * The token as pasted: surrounding whitespace and quotes, a "Bearer " prefix, or a token route's
 * JSON answer (`{"token": ...}`) are all accepted.
 */
export function normalizeToken(raw: string): string {
  let text = raw.trim();
  if (text.startsWith('{')) {
    try {
      const { token } = JSON.parse(text) as { token?: unknown };
      if (typeof token === 'string') text = token.trim();
    } catch {
      // Not JSON after all: decoding reports it as a malformed token.
    }
  }
  text = text.replace(/^(["'`])([\s\S]*)\1$/, '$2').trim();
  return text.replace(/^Bearer\s+/i, '').trim();
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** The token from the argument, or from standard input when the argument is `-` or missing. */
export async function readToken(argument: string | undefined): Promise<string> {
  const fromStdin = argument === undefined || argument === '-';
  if (argument === undefined && process.stdin.isTTY) {
    throw new UsageError('No token given: pass it as an argument, or pipe it in (use - to read standard input).');
  }
  const token = normalizeToken(fromStdin ? await readStream(process.stdin) : argument);
  if (!token) throw new UsageError(`No token given: ${fromStdin ? 'standard input' : 'the argument'} is empty.`);
  return token;
}
