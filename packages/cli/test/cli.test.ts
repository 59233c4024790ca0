import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packageJson = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string; bin: { grantor: string } };
const bin = join(packageDir, packageJson.bin.grantor);

const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
const KEY_SID = `SK${'b'.repeat(32)}`;
const SECRET = `grantor-test-secret-${randomBytes(12).toString('hex')}`;
const CREDENTIALS = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_API_KEY_SID: KEY_SID, TWILIO_API_KEY_SECRET: SECRET };
const HEADER = { alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' };
const ANSI = /\u001b\[/;

const scratch = mkdtempSync(join(tmpdir(), 'grantor-cli-'));

beforeAll(() => {
  // The CLI imports @grantor/core's build; build it only when missing, as others may be rebuilding it.
  if (!existsSync(join(packageDir, '../core/dist/index.mjs'))) execFileSync('pnpm', ['--filter', '@grantor/core', 'build'], { stdio: 'ignore' });
  execFileSync('pnpm', ['--filter', '@grantor/cli', 'build'], { stdio: 'ignore' });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface RunOptions {
  /** Added to the credentials; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  input?: string;
}

/** PATH, the credentials and the given changes, nothing inherited; `undefined` removes a variable. */
function childEnv(changes: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const entries = Object.entries({ PATH: process.env.PATH, ...CREDENTIALS, ...changes });
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as NodeJS.ProcessEnv;
}

/** Runs the built binary with a controlled environment, and checks that the secret appears in no output. */
function run(args: string[], options: RunOptions = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: childEnv(options.env), input: options.input ?? '', encoding: 'utf8' });
  expect(result.stdout + result.stderr).not.toContain(SECRET);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs JSON by hand, so tokens can break every rule the signer enforces. */
function sign(claims: object, { header = HEADER as object, secret = SECRET, hash = 'sha256' } = {}): string {
  const input = `${base64url(header)}.${base64url(claims)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

function claims(overrides: Record<string, unknown> = {}) {
  const iat = now();
  return { jti: `${KEY_SID}-${iat}`, grants: { identity: 'alice', video: { room: 'r1' } }, iat, exp: iat + 600, iss: KEY_SID, sub: ACCOUNT_SID, ...overrides };
}

function parts(token: string) {
  const [header, payload, signature] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(payload!, 'base64url').toString()),
    signatureMatches: createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url') === signature,
  };
}

const problemCodes = (stdout: string) =>
  (JSON.parse(stdout) as { problems: { code: string; twilioCode: number }[] }).problems.map(({ code, twilioCode }) => [code, twilioCode]);

describe('grantor mint', () => {
  const CHAT_SERVICE = `IS${'c'.repeat(32)}`;
  const SYNC_SERVICE = `IS${'d'.repeat(32)}`;
  const VOICE_APP = `AP${'e'.repeat(32)}`;
  const allFlags = [
    'mint',
    '--identity',
    'alice',
    '--video-room',
    'r1',
    '--chat-service',
    CHAT_SERVICE,
    '--voice-app',
    VOICE_APP,
    '--voice-incoming',
    '--sync-service',
    SYNC_SERVICE,
    '--ttl',
    '600',
    '--region',
    'ie1',
  ];
  const expectedGrants = {
    identity: 'alice',
    video: { room: 'r1' },
    chat: { service_sid: CHAT_SERVICE },
    voice: { incoming: { allow: true }, outgoing: { application_sid: VOICE_APP } },
    data_sync: { service_sid: SYNC_SERVICE },
  };

  it('prints a signed token whose claims follow the flags', () => {
    const { code, stdout, stderr } = run(allFlags);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout.endsWith('\n')).toBe(true);
    const token = parts(stdout.trim());
    expect(token.signatureMatches).toBe(true);
    expect(token.header).toEqual({ ...HEADER, twr: 'ie1' });
    expect(token.claims.grants).toEqual(expectedGrants);
    expect(token.claims.exp - token.claims.iat).toBe(600);
    expect([token.claims.iss, token.claims.sub]).toEqual([KEY_SID, ACCOUNT_SID]);
  });

  it('prints JSON with the token, its header, claims and times', () => {
    const { code, stdout } = run([...allFlags, '--json']);
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    const token = parts(output.token);
    expect(token.signatureMatches).toBe(true);
    expect(output.header).toEqual(token.header);
    expect(output.claims).toEqual(token.claims);
    expect(output.claims.grants).toEqual(expectedGrants);
    expect(output).toMatchObject({ identity: 'alice', ttl: 600, keySid: KEY_SID, grantKeys: ['video', 'voice', 'chat', 'data_sync'] });
    expect(Date.parse(output.expiresAt)).toBe(token.claims.exp * 1000);
  });

  it('mints a token that decode and verify accept', () => {
    const token = run(allFlags).stdout.trim();
    expect(run(['decode', token]).code).toBe(0);
    expect(run(['verify', token]).code).toBe(0);
  });

  it('reads the secret from --secret-file', () => {
    const file = join(scratch, 'mint-secret');
    writeFileSync(file, `${SECRET}\n`);
    const { code, stdout } = run(['mint', '--identity', 'alice', '--video', '--secret-file', file], { env: { TWILIO_API_KEY_SECRET: undefined } });
    expect(code).toBe(0);
    expect(parts(stdout.trim())).toMatchObject({ signatureMatches: true, claims: { grants: { identity: 'alice', video: {} } } });
  });

  it.each([
    ['a ttl over 24 h', ['--video', '--ttl', '90000'], 'TTL_TOO_LONG', 20157],
    ['a zero ttl', ['--video', '--ttl', '0'], 'INVALID_TTL', 20104],
    ['a Voice identity with a space', ['--voice-incoming', '--identity', 'alice smith'], 'INVALID_VOICE_IDENTITY', 31105],
    ['a malformed service SID', ['--chat-service', 'IS123'], 'INVALID_GRANT', 20106],
    ['no product grant', [], 'NO_GRANTS', 20106],
    ['a bad region', ['--video', '--region', 'Ireland'], 'INVALID_REGION', 20101],
  ])('refuses %s on stderr with exit code 1', (_name, flags, errorCode, twilioCode) => {
    const { code, stdout, stderr } = run(['mint', '--identity', 'alice', ...flags]);
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toContain(errorCode);
    expect(stderr).toContain(`Twilio ${twilioCode}`);
    expect(stderr).toContain('fix:');
  });

  it('rejects a ttl that is not whole seconds as a usage error (exit 2)', () => {
    const { code, stdout, stderr } = run(['mint', '--identity', 'alice', '--video', '--ttl', '1h']);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain("'--ttl <seconds>' argument '1h' is invalid");
  });

  it('names every missing credential variable and exits 2', () => {
    const { code, stdout, stderr } = run(['mint', '--identity', 'alice', '--video'], {
      env: { TWILIO_ACCOUNT_SID: undefined, TWILIO_API_KEY_SID: '', TWILIO_API_KEY_SECRET: undefined },
    });
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain('Missing TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET');
  });

  it('exits 2 for a malformed credential, naming the variable to fix', () => {
    const { code, stderr } = run(['mint', '--identity', 'alice', '--video'], { env: { TWILIO_ACCOUNT_SID: 'AC123' } });
    expect(code).toBe(2);
    expect(stderr).toContain('INVALID_ACCOUNT_SID');
    expect(stderr).toContain('Set TWILIO_ACCOUNT_SID');
  });

  it('requires --identity', () => {
    const { code, stderr } = run(['mint', '--video']);
    expect(code).toBe(2);
    expect(stderr).toContain("required option '--identity <identity>' not specified");
  });
});

describe('grantor decode', () => {
  it('shows the header, identity, grants, times and SIDs of a good token, and exits 0', () => {
    const token = sign(claims({ grants: { identity: 'alice', video: { room: 'r1' }, voice: { incoming: { allow: true } } } }));
    const { code, stdout, stderr } = run(['decode', token]);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^Header +alg HS256, typ JWT, cty twilio-fpa;v=1$/m);
    expect(stdout).toMatch(/^Identity +alice$/m);
    expect(stdout).toMatch(/^Grants +video +room: r1 +\(Video\)$/m);
    expect(stdout).toMatch(/^ +voice +incoming\.allow: true +\(Voice\)$/m);
    expect(stdout).toMatch(/^Issued +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +\((now|\ds ago)\)$/m);
    expect(stdout).toMatch(/^Not before +not set$/m);
    expect(stdout).toMatch(/^Expires +\S+ +\(in (10m|9m \d+s)\), lifetime 10m$/m);
    expect(stdout).toContain(`API key     ${KEY_SID} (iss)`);
    expect(stdout).toContain(`Account     ${ACCOUNT_SID} (sub)`);
    expect(stdout).toContain('✓ No problems found. The signature was not checked');
  });

  const iat = now();
  it.each([
    ['a lifetime over 24 h', sign(claims({ iat, exp: iat + 90_000 })), 'LIFETIME_TOO_LONG', 20157],
    ['an expired token', sign(claims({ iat: iat - 7200, exp: iat - 3600 })), 'TOKEN_EXPIRED', 20104],
    ['a token not yet valid', sign(claims({ nbf: iat + 3600, exp: iat + 7200 })), 'TOKEN_NOT_YET_VALID', 20105],
    ['a wrong cty', sign(claims(), { header: { ...HEADER, cty: 'JWT' } }), 'INVALID_HEADER', 20102],
    ['a wrong typ', sign(claims(), { header: { ...HEADER, typ: 'JOSE' } }), 'INVALID_HEADER', 20102],
    ['a wrong alg', sign(claims(), { header: { ...HEADER, alg: 'HS512' }, hash: 'sha512' }), 'UNSUPPORTED_ALGORITHM', 20102],
    ['a malformed iss', sign(claims({ iss: 'SK123' })), 'UNKNOWN_ISSUER', 20103],
    ['an Auth Token style sub', sign(claims({ sub: 'ac-not-a-sid' })), 'INVALID_SUBJECT', 20103],
    [
      'a Voice identity with a space',
      sign(claims({ grants: { identity: 'alice smith', voice: { incoming: { allow: true } } } })),
      'INVALID_VOICE_IDENTITY',
      31105,
    ],
    ['no product grant', sign(claims({ grants: { identity: 'alice' } })), 'NO_GRANTS', 20106],
    ['a malformed grant SID', sign(claims({ grants: { identity: 'alice', chat: { service_sid: 'IS123' } } })), 'INVALID_GRANT', 20106],
    ['no identity', sign(claims({ grants: { video: {} } })), 'INVALID_IDENTITY', 54351],
    ['no jti', sign(claims({ jti: undefined })), 'INVALID_CLAIMS', 20101],
    ['something that is not a JWT', 'not.a.jwt', 'MALFORMED_TOKEN', 20101],
  ])('reports %s with its Twilio code and fix, and exits 1', (_name, token, errorCode, twilioCode) => {
    const human = run(['decode', token]);
    expect([human.code, human.stderr]).toEqual([1, '']);
    expect(human.stdout).toContain(`✗ 1 problem: Twilio would answer ${twilioCode} (${errorCode}).`);
    expect(human.stdout).toMatch(new RegExp(`✗ Twilio ${twilioCode} +${errorCode}\\n  .+\\n  fix: .+`));
    const json = run(['decode', '--json', token]);
    expect(json.code).toBe(1);
    expect(problemCodes(json.stdout)).toEqual([[errorCode, twilioCode]]);
  });

  it('lists every problem of a token, the most fundamental first', () => {
    const token = sign(claims({ iss: 'SK123', iat: iat - 7200, exp: iat - 3600, grants: { identity: 'alice' } }), { header: { ...HEADER, cty: 'x' } });
    const { code, stdout } = run(['decode', token]);
    expect(code).toBe(1);
    expect(stdout).toContain('✗ 4 problems: Twilio would answer 20102 (INVALID_HEADER).');
    expect(problemCodes(run(['decode', '--json', token]).stdout)).toEqual([
      ['INVALID_HEADER', 20102],
      ['UNKNOWN_ISSUER', 20103],
      ['TOKEN_EXPIRED', 20104],
      ['NO_GRANTS', 20106],
    ]);
  });

  it('prints JSON with header, claims, problems and the verdict', () => {
    const tokenClaims = claims();
    const output = JSON.parse(run(['decode', '--json', sign(tokenClaims)]).stdout);
    expect(output).toEqual({ valid: true, signatureChecked: false, header: HEADER, claims: tokenClaims, problems: [] });
    const expired = JSON.parse(run(['decode', '--json', sign(claims({ iat: iat - 7200, exp: iat - 3600 }))]).stdout);
    expect(expired.valid).toBe(false);
    expect(expired.problems[0]).toMatchObject({ code: 'TOKEN_EXPIRED', twilioCode: 20104, fix: expect.stringContaining('Fetch a new token') });
    expect(expired.problems[0].message).toMatch(/^The token expired at /);
  });

  it.each([
    ['- and a plain token', ['-'], (token: string) => `${token}\n`],
    ['no argument and a quoted Bearer header value', [], (token: string) => `  "Bearer ${token}"\n`],
    ["a token route's JSON answer", [], (token: string) => JSON.stringify({ token, identity: 'alice' })],
  ])('reads standard input given %s', (_name, args, input) => {
    const token = sign(claims());
    const { code, stdout } = run(['decode', '--json', ...args], { input: input(token) });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).claims.grants.identity).toBe('alice');
  });

  it('exits 2 when standard input is empty', () => {
    const { code, stdout, stderr } = run(['decode'], { input: '  \n' });
    expect([code, stdout]).toEqual([2, '']);
    // A usage error, worded as one: not reported as a failure of grantor itself.
    expect(stderr).toBe('error: No token given: standard input is empty.\n');
  });

  it.each(['__proto__', 'constructor', 'valueOf'])('takes a grant named %s for what it is, not for an Object.prototype member', (name) => {
    // Parsed, so the name is an own key, as in an untrusted token's JSON (a literal __proto__ would set the prototype).
    const odd = JSON.parse(`{"${name}":{}}`) as object;
    const noStack = /\n\s+at /;
    const withVideo = run(['decode', sign(claims({ grants: { identity: 'alice', video: { room: 'r1' }, ...odd } }))]);
    expect([withVideo.code, withVideo.stderr]).toEqual([0, '']);
    expect(withVideo.stdout).toMatch(new RegExp(`^ +${name} +no fields +\\(not a product grant\\)$`, 'm'));
    const alone = sign(claims({ grants: { identity: 'alice', ...odd } }));
    for (const command of ['decode', 'verify']) {
      const { code, stdout, stderr } = run([command, '--json', alone]);
      expect([code, stderr]).toEqual([1, '']);
      expect(stdout).not.toMatch(noStack);
      expect(problemCodes(stdout)).toEqual([['NO_GRANTS', 20106]]);
    }
  });

  it('needs no credentials', () => {
    const env = { TWILIO_ACCOUNT_SID: undefined, TWILIO_API_KEY_SID: undefined, TWILIO_API_KEY_SECRET: undefined };
    expect(run(['decode', sign(claims())], { env }).code).toBe(0);
  });
});

describe('grantor verify', () => {
  const token = sign(claims());

  it('exits 0 for a valid token signed with the secret', () => {
    const { code, stdout, stderr } = run(['verify', token]);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toContain(`✓ Valid: the signature matches API key ${KEY_SID}`);
    expect(JSON.parse(run(['verify', '--json', token]).stdout)).toMatchObject({ valid: true, signatureChecked: true, problems: [] });
  });

  it('exits 1 with 20107 when the secret is wrong', () => {
    const { code, stdout } = run(['verify', token], { env: { TWILIO_API_KEY_SECRET: 'another-secret' } });
    expect(code).toBe(1);
    expect(stdout).toContain('Twilio would answer 20107 (INVALID_SIGNATURE).');
    const json = JSON.parse(run(['verify', '--json', token], { env: { TWILIO_API_KEY_SECRET: 'x' } }).stdout);
    expect(json).toMatchObject({ valid: false, signatureChecked: true });
    expect(json.problems.map(({ code }: { code: string }) => code)).toEqual(['INVALID_SIGNATURE']);
  });

  it('exits 1 with 20103 when the token was signed by another API key, whose signature it cannot check', () => {
    const { code, stdout } = run(['verify', '--json', token], { env: { TWILIO_API_KEY_SID: `SK${'f'.repeat(32)}` } });
    expect(code).toBe(1);
    expect(problemCodes(stdout)).toEqual([['UNKNOWN_ISSUER', 20103]]);
    expect(JSON.parse(stdout).signatureChecked).toBe(false);
  });

  it("uses the token's iss as the key when TWILIO_API_KEY_SID is unset, and checks no signature when iss names no key", () => {
    const env = { TWILIO_API_KEY_SID: undefined };
    expect(JSON.parse(run(['verify', '--json', token], { env }).stdout)).toMatchObject({ valid: true, signatureChecked: true });
    const badIssuer = run(['verify', '--json', sign(claims({ iss: 'not-a-key' }))], { env });
    expect(badIssuer.code).toBe(1);
    expect(problemCodes(badIssuer.stdout)).toEqual([['UNKNOWN_ISSUER', 20103]]);
    expect(JSON.parse(badIssuer.stdout).signatureChecked).toBe(false);
  });

  it('checks no signature under a header Twilio rejects', () => {
    const { code, stdout } = run(['verify', '--json', sign(claims(), { header: { ...HEADER, alg: 'HS512' }, hash: 'sha512' })]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ valid: false, signatureChecked: false });
  });

  it('exits 1 with 20103 when the token is for another account', () => {
    const { code, stdout } = run(['verify', '--json', '--account-sid', `AC${'9'.repeat(32)}`, token]);
    expect(code).toBe(1);
    expect(problemCodes(stdout)).toEqual([['INVALID_SUBJECT', 20103]]);
  });

  it('exits 2 for a malformed --account-sid: a usage error, not a verdict on the token', () => {
    const { code, stdout, stderr } = run(['verify', '--account-sid', 'AC-not-a-sid', token]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('INVALID_ACCOUNT_SID');
  });

  it('checks the claims too: a well-signed expired token exits 1 with 20104', () => {
    const { code, stdout } = run(['verify', sign(claims({ iat: now() - 7200, exp: now() - 3600 }))]);
    expect(code).toBe(1);
    expect(stdout).toContain('Twilio would answer 20104 (TOKEN_EXPIRED).');
  });

  it('reads the secret from --secret-file', () => {
    const right = join(scratch, 'right-secret');
    const wrong = join(scratch, 'wrong-secret');
    writeFileSync(right, `${SECRET}\n`);
    writeFileSync(wrong, 'not-the-secret\n');
    const env = { TWILIO_API_KEY_SECRET: undefined };
    expect(run(['verify', '--secret-file', right, token], { env }).code).toBe(0);
    expect(run(['verify', '--secret-file', wrong, token], { env }).code).toBe(1);
    const missing = run(['verify', '--secret-file', join(scratch, 'absent'), token], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read --secret-file');
  });

  it('reads the token from standard input', () => {
    expect(run(['verify', '-'], { input: `Bearer ${token}\n` }).code).toBe(0);
  });

  it('exits 2 without a secret, naming TWILIO_API_KEY_SECRET and --secret-file', () => {
    const { code, stdout, stderr } = run(['verify', token], { env: { TWILIO_API_KEY_SECRET: undefined } });
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain('Missing TWILIO_API_KEY_SECRET');
    expect(stderr).toContain('--secret-file');
  });

  it('takes no secret on the command line', () => {
    const { code, stderr } = run(['verify', '--secret', SECRET, token]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--secret'");
  });
});

describe('help and output', () => {
  it.each([
    ['grantor', []],
    ['grantor mint', ['mint']],
    ['grantor decode', ['decode']],
    ['grantor verify', ['verify']],
  ])('%s --help shows usage, examples and exit codes', (name, command) => {
    const { code, stdout } = run([...command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: ${name}`);
    expect(stdout).toMatch(new RegExp(`Examples:\\n  \\$ ${name === 'grantor' ? 'grantor mint' : name} `));
    expect(stdout).toContain('Exit codes:\n  0  success');
  });

  it('shows help on stderr and exits 2 without a command', () => {
    const { code, stdout, stderr } = run([]);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain('Usage: grantor [options] [command]');
  });

  it('prints the version', () => {
    expect(run(['--version']).stdout.trim()).toBe(packageJson.version);
  });

  const expired = sign(claims({ iat: now() - 7200, exp: now() - 3600 }));

  it('writes no colour codes when output is not a terminal', () => {
    for (const args of [
      ['decode', expired],
      ['verify', expired],
      ['mint', '--identity', 'alice', '--ttl', '90000'],
    ]) {
      const { stdout, stderr } = run(args);
      expect(stdout + stderr).not.toMatch(ANSI);
    }
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  /** Runs the binary on a pseudo-terminal through util-linux `script`. */
  const onTerminal = (env: Record<string, string>) =>
    spawnSync('script', ['-qec', `"${process.execPath}" "${bin}" decode ${expired}`, '/dev/null'], {
      env: childEnv(env),
      encoding: 'utf8',
      input: '',
    }).stdout;

  it.skipIf(!hasScript)('colours output on a terminal, unless NO_COLOR is set', () => {
    const coloured = onTerminal({});
    expect(coloured).toMatch(ANSI);
    expect(coloured).toContain('TOKEN_EXPIRED');
    const plain = onTerminal({ NO_COLOR: '1' });
    expect(plain).not.toMatch(ANSI);
    expect(plain).toContain('TOKEN_EXPIRED');
  });
});

describe('the installed binary', () => {
  it('runs from the package.json bin path through its shebang, also through a symlink as installers link it', () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    const binDir = join(scratch, 'node_modules', '.bin');
    mkdirSync(binDir, { recursive: true });
    symlinkSync(bin, join(binDir, 'grantor'));
    const version = execFileSync('grantor', ['--version'], { env: childEnv({ PATH: `${binDir}:${process.env.PATH}` }), encoding: 'utf8' });
    expect(version.trim()).toBe(packageJson.version);
  });
});

describe('untrusted token contents', () => {
  /** Every control character but the newline: what could move the cursor, clear the screen or recolour. */
  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
  const forged = '\u001b[2J\u001b[H\u001b[32m✓ No problems found.\u001b[0m\r';

  it('decode escapes terminal sequences in claim names and values: the real findings cannot be hidden', () => {
    const token = sign(claims({ exp: now() - 60, [forged]: forged, grants: { identity: `alice${forged}`, video: { room: forged }, [forged]: 1 } }), {
      header: { ...HEADER, [forged]: forged },
    });
    const { code, stdout, stderr } = run(['decode', token]);
    expect(code).toBe(1);
    expect(stdout + stderr).not.toMatch(CONTROL);
    expect(stdout).toContain('\\u001b[2J\\u001b[H\\u001b[32m✓ No problems found.\\u001b[0m\\u000d');
    expect(stdout).toContain('TOKEN_EXPIRED');
  });

  it('decode and verify report an exp beyond the Date range as TOKEN_EXPIRED (exit 1), not a failure of the command (exit 2)', () => {
    const token = sign(claims({ exp: -Number.MAX_SAFE_INTEGER }));
    for (const command of ['decode', 'verify']) {
      const { code, stdout, stderr } = run([command, token]);
      expect([command, code, stderr]).toEqual([command, 1, '']);
      expect(stdout).toContain('Twilio would answer 20104 (TOKEN_EXPIRED).');
      expect(stdout).toContain(String(-Number.MAX_SAFE_INTEGER));
    }
  });

  it("verify without TWILIO_API_KEY_SID says it checked the key the token's own iss names, not one you chose", () => {
    const { code, stdout } = run(['verify', sign(claims())], { env: { TWILIO_API_KEY_SID: undefined } });
    expect(code).toBe(0);
    expect(stdout).toContain(`the signature matches the secret for API key ${KEY_SID}, which the token names itself (iss)`);
    expect(stdout).toContain('TWILIO_API_KEY_SID');
    expect(run(['verify', sign(claims())]).stdout).toContain(`the signature matches API key ${KEY_SID} (TWILIO_API_KEY_SID)`);
  });
});
