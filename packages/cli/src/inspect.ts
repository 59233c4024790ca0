import { AccessTokenError, type AccessTokenInspection, type ApiKey, decodeAccessToken, inspectAccessToken } from '@grantor/core';
import { type Colors, credentialsFromEnv, EXIT, readSecret } from './io.js';
import { formatDecoded, formatFindings, formatTime, printable, printableJson, type Report, toReport } from './report.js';

export interface InspectCommandOptions {
  json?: boolean | undefined;
}

export interface VerifyCommandOptions extends InspectCommandOptions {
  accountSid?: string | undefined;
  secretFile?: string | undefined;
}

export interface CommandResult {
  output: string;
  exitCode: number;
}

function result(report: Report, text: () => string, options: InspectCommandOptions): CommandResult {
  return {
    output: options.json ? printableJson(report) : text(),
    exitCode: report.valid ? EXIT.ok : EXIT.rejected,
  };
}

/** Header and claims in readable form, then every problem Twilio would reject. The signature is not checked. */
export function decode(token: string, options: InspectCommandOptions, c: Colors): CommandResult {
  const inspection = inspectAccessToken(token);
  const report = toReport(inspection);
  return result(
    report,
    () => {
      const verdict = formatFindings(
        report.problems,
        'No problems found. The signature was not checked: run "grantor verify" to check it with the API key secret.',
        c,
      );
      const { decoded } = inspection;
      return decoded ? `${formatDecoded(decoded, Math.floor(Date.now() / 1000), c)}\n\n${verdict}` : verdict;
    },
    options,
  );
}

/** The token's `iss`, when it has a string one; a token that cannot be decoded has none (the inspection says why). */
function issuerOf(token: string): string | undefined {
  try {
    const { iss } = decodeAccessToken(token).claims;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Inspects with the key named by TWILIO_API_KEY_SID, or by the token's own `iss` when it is unset.
 * A malformed `iss` is the token's problem (reported as such, with no key), not a usage error.
 */
function inspectWithKey(token: string, key: ApiKey, keyFromToken: boolean, accountSid: string | undefined): AccessTokenInspection {
  try {
    return inspectAccessToken(token, { accountSid, keys: key });
  } catch (error) {
    if (keyFromToken && error instanceof AccessTokenError && error.code === 'INVALID_API_KEY_SID') {
      return inspectAccessToken(token, { accountSid });
    }
    throw error;
  }
}

/** Checks the signature and every claim as Twilio would; exit code 0 only when Twilio would accept the token. */
export function verify(token: string, options: VerifyCommandOptions, c: Colors): CommandResult {
  const env = credentialsFromEnv();
  const secret = readSecret(options.secretFile, env.secret);
  const sid = env.keySid ?? issuerOf(token) ?? '';
  const inspection = inspectWithKey(token, { sid, secret }, env.keySid === undefined, options.accountSid ?? env.accountSid);
  const report = toReport(inspection);
  return result(
    report,
    () => {
      const claims = inspection.decoded?.claims;
      const identity = printable(JSON.stringify(claims?.grants?.identity) ?? 'none');
      // Without TWILIO_API_KEY_SID the key is whichever the token names: say so, it proves only that the secret fits.
      const key =
        env.keySid === undefined
          ? `the signature matches the secret for API key ${sid}, which the token names itself (iss); set TWILIO_API_KEY_SID to check that it is your key`
          : `the signature matches API key ${sid} (TWILIO_API_KEY_SID)`;
      const expires = formatTime(claims?.exp, Math.floor(Date.now() / 1000));
      return formatFindings(report.problems, `Valid: ${key}. Twilio would accept this token for identity ${identity} until ${expires}.`, c);
    },
    options,
  );
}
