#!/usr/bin/env node
import { AccessTokenError, type AccessTokenErrorCode } from '@grantor/core';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { decode, verify, type CommandResult } from './inspect.js';
import { colorsFor, EXIT, EXIT_CODES_HELP, readToken, UsageError } from './io.js';
import { mint } from './mint.js';
import { formatFinding, toFinding } from './report.js';

const out = colorsFor(process.stdout);
const err = colorsFor(process.stderr);

/** Errors about the credentials rather than the token: the command could not run (exit 2). */
const CREDENTIAL_CODES: ReadonlySet<AccessTokenErrorCode> = new Set(['INVALID_ACCOUNT_SID', 'INVALID_API_KEY_SID', 'INVALID_API_KEY_SECRET']);

function wholeNumber(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('Expected a whole number of seconds, e.g. 600.');
  return Number(value);
}

function print(result: CommandResult): void {
  process.stdout.write(`${result.output}\n`);
  process.exitCode = result.exitCode;
}

const TOKEN_ARGUMENT = ['[token]', 'the token, a "Bearer ..." header value, or - (the default) to read it from standard input'] as const;
const SECRET_FILE_OPTION = ['--secret-file <path>', 'read the API key secret from this file instead of TWILIO_API_KEY_SECRET'] as const;

const program = new Command('grantor')
  .description('Mint, decode and verify Twilio Access Tokens, and explain why Twilio rejects one.')
  .version(packageJson.version)
  .exitOverride()
  .showHelpAfterError('(add --help for usage and examples)')
  .configureOutput({ outputError: (message, write) => write(err.red(message)) })
  .addHelpText(
    'after',
    `
Examples:
  $ grantor mint --identity alice --video-room r1 --ttl 600
  $ grantor decode eyJhbGciOiJIUzI1NiIs...
  $ pbpaste | grantor verify
${EXIT_CODES_HELP}`,
  );

program
  .command('mint')
  .description('Sign an Access Token with the credentials in TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET.')
  .requiredOption('--identity <identity>', 'who the token is for (1-256 characters; with Voice only letters, digits and _)')
  .option('--video', 'Video grant for any room')
  .option('--video-room <room>', 'Video grant for this room name or Room SID (RM...)')
  .option('--voice-app <sid>', 'Voice grant for outgoing calls through this TwiML app (AP...)')
  .option('--voice-incoming', 'Voice grant that allows incoming calls')
  .option('--voice-push-credential <sid>', 'push credential (CR...) for the Voice grant')
  .option('--chat-service <sid>', 'Conversations / Chat grant for this service (IS...)')
  .option('--chat-push-credential <sid>', 'push credential (CR...) for the Conversations / Chat grant')
  .option('--sync-service <sid>', 'Sync grant for this service (IS...)')
  .option('--ttl <seconds>', 'lifetime in seconds, at most 86400 (default: 3600)', wholeNumber)
  .option('--nbf <unix-seconds>', 'not valid before this Unix time', wholeNumber)
  .option('--jti <id>', 'token ID (default: unique per token)')
  .option('--region <code>', 'home region written to the twr header, e.g. ie1')
  .option(...SECRET_FILE_OPTION)
  .option('--json', 'print JSON: the token, its header and claims, issue and expiry times')
  .addHelpText(
    'after',
    `
Examples:
  $ grantor mint --identity alice --video-room r1 --ttl 600
  $ grantor mint --identity alice --voice-app AP... --voice-incoming --region ie1
  $ grantor mint --identity alice --chat-service IS... --sync-service IS... --json
${EXIT_CODES_HELP}`,
  )
  .action((options) => {
    process.stdout.write(`${mint(options)}\n`);
  });

program
  .command('decode')
  .description("Show a token's header and claims, readably, and every problem Twilio would reject it for, with the fix.")
  .argument(...TOKEN_ARGUMENT)
  .option('--json', 'print JSON: { valid, signatureChecked, header, claims, problems: [{ code, twilioCode, message, fix }] }')
  .addHelpText(
    'after',
    `
The signature is not checked (use grantor verify); no credentials are needed.

Examples:
  $ grantor decode eyJhbGciOiJIUzI1NiIs...
  $ curl -s -X POST https://example.com/token | grantor decode
  $ grantor decode --json - < token.txt | jq .problems
${EXIT_CODES_HELP}`,
  )
  .action(async (token: string | undefined, options) => {
    print(decode(await readToken(token), options, out));
  });

program
  .command('verify')
  .description("Check a token's signature and claims as Twilio would; exit 0 only when Twilio would accept it.")
  .argument(...TOKEN_ARGUMENT)
  .option('--account-sid <sid>', 'the Account SID the token must be for (default: TWILIO_ACCOUNT_SID, when set)')
  .option(...SECRET_FILE_OPTION)
  .option('--json', 'print JSON: { valid, signatureChecked, header, claims, problems: [{ code, twilioCode, message, fix }] }')
  .addHelpText(
    'after',
    `
The secret comes from TWILIO_API_KEY_SECRET or --secret-file, never from the command line (it would
show in ps and the shell history). The API key is TWILIO_API_KEY_SID, or the token's iss when unset.

Examples:
  $ grantor verify eyJhbGciOiJIUzI1NiIs...      (secret in TWILIO_API_KEY_SECRET)
  $ grantor verify --secret-file ~/.twilio-secret --account-sid AC... - < token.txt
  $ grantor verify --json "$TOKEN" | jq '.problems[0].twilioCode'
${EXIT_CODES_HELP}`,
  )
  .action(async (token: string | undefined, options) => {
    print(verify(await readToken(token), options, out));
  });

function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof AccessTokenError) {
    process.stderr.write(`${err.red('error:')} ${formatFinding(toFinding(error), err)}\n`);
    return CREDENTIAL_CODES.has(error.code) ? EXIT.usage : EXIT.rejected;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`${err.red('error:')} ${error.message}\n`);
    return EXIT.usage;
  }
  // A bug, said to be one, with only the message: a stack trace helps no one here, and it is no verdict on the token.
  process.stderr.write(`${err.red('error:')} grantor failed unexpectedly (please report it): ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.usage;
}

try {
  await program.parseAsync();
} catch (error) {
  process.exitCode = reportError(error);
}
