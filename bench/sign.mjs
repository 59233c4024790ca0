// Signing throughput: each case mints tokens in a tight loop; rounds alternate the cases.
import { createHmac, createSecretKey } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { createSigner, decodeAccessToken, verifyAccessToken } from '@grantor/core';
import {
  accessTokenMinter,
  ACCOUNT_SID,
  baselineSigner,
  ALL_GRANTS_SPEC,
  API_KEY,
  CREDENTIALS,
  GrantorAccessToken,
  STUB_USER,
  TwilioAccessToken,
  VIDEO_GRANT_SPEC,
} from './lib/fixtures.mjs';
import { inclusiveShare } from './lib/profile.mjs';
import { median, rotate, spreadPercent } from './lib/stats.mjs';

export const GRANT_SETS = [
  { name: 'one grant (video)', spec: VIDEO_GRANT_SPEC },
  { name: 'all six grants', spec: ALL_GRANTS_SPEC },
];

/**
 * The practical limit of verifying: split at the last dot, HMAC the signing input with a prebuilt
 * KeyObject, compare the base64url digest with the signature. No decoding, no claim checks.
 */
function baselineVerifier(token) {
  const key = createSecretKey(Buffer.from(API_KEY.secret, 'utf8'));
  return () => {
    const dot = token.lastIndexOf('.');
    const signature = token.slice(dot + 1);
    if (createHmac('sha256', key).update(token.slice(0, dot)).digest('base64url') !== signature) throw new Error('baseline: bad signature');
    return signature;
  };
}

function casesFor(spec) {
  const signer = createSigner(CREDENTIALS);
  const sampleToken = signer.sign({ identity: STUB_USER.id, grants: spec }).token;
  const verifyOptions = { accountSid: ACCOUNT_SID, keys: API_KEY };
  const signBaseline = baselineSigner();
  // Built once: the baseline does nothing per token but the claims, the JSON and the HMAC.
  const grantsPayload = decodeAccessToken(sampleToken).claims.grants;
  return [
    { id: 'twilio', label: 'twilio-node `AccessToken.toJwt()`', mint: accessTokenMinter(TwilioAccessToken, spec) },
    { id: 'accessToken', label: 'grantor `AccessToken.toJwt()`', mint: accessTokenMinter(GrantorAccessToken, spec) },
    { id: 'signer', label: 'grantor `signer.sign()`', mint: (identity) => signer.sign({ identity, grants: spec }).token },
    { id: 'baseline', label: 'node:crypto HS256 baseline', mint: () => signBaseline(grantsPayload) },
    {
      id: 'verify',
      label: 'grantor `verifyAccessToken()`',
      mint: () => verifyAccessToken(sampleToken, verifyOptions).claims.jti,
      isVerify: true,
    },
    { id: 'verifyBaseline', label: 'node:crypto HS256 verify baseline', mint: baselineVerifier(sampleToken), isVerify: true },
  ];
}

/** Every minter must produce a token Twilio would accept, with the same claims, before it is timed. */
function checkCase(benchCase, spec) {
  if (benchCase.isVerify) return;
  const token = benchCase.mint(STUB_USER.id);
  const { claims } = verifyAccessToken(token, { accountSid: ACCOUNT_SID, keys: API_KEY });
  const grantCount = Object.keys(claims.grants).length - 1;
  if (claims.grants.identity !== STUB_USER.id || grantCount !== Object.keys(spec).length) {
    throw new Error(`${benchCase.label} minted unexpected claims: ${JSON.stringify(claims.grants)}`);
  }
}

let sink = 0; // Consumes every result so no call can be optimized away.

/** Operations per second over about `sliceMs`, in batches that each take a millisecond or more. */
function measure(benchCase, sliceMs) {
  const { mint, batch } = benchCase;
  let operations = 0;
  let elapsed = 0;
  const start = performance.now();
  do {
    for (let i = 0; i < batch; i++) sink ^= mint(STUB_USER.id).length;
    operations += batch;
    elapsed = performance.now() - start;
  } while (elapsed < sliceMs);
  return (operations / elapsed) * 1000;
}

/** Warms the case up (JIT, caches) and picks a batch size of about one millisecond. */
function warmUp(benchCase, warmupMs) {
  benchCase.batch = 1;
  const rate = measure(benchCase, warmupMs);
  benchCase.batch = Math.max(1, Math.round(rate / 1000));
}

/**
 * Share of twilio-node's signing time spent in crypto.createPrivateKey, from an in-process CPU
 * profile: jsonwebtoken 9 first tries to parse the HMAC secret as a PEM private key on every sign.
 */
async function twilioPrivateKeyShare(spec, durationMs) {
  const mint = accessTokenMinter(TwilioAccessToken, spec);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const start = performance.now();
  while (performance.now() - start < durationMs) sink ^= mint(STUB_USER.id).length;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  return inclusiveShare(profile, 'createPrivateKey');
}

export async function runSigningBench({ rounds = 5, sliceMs = 300, warmupMs = 500, log = () => {} } = {}) {
  const groups = GRANT_SETS.map(({ name, spec }) => {
    const cases = casesFor(spec);
    for (const benchCase of cases) checkCase(benchCase, spec);
    return { name, spec, cases };
  });
  for (const group of groups) {
    for (const benchCase of group.cases) {
      warmUp(benchCase, warmupMs);
      benchCase.rates = [];
    }
  }
  log(`signing: warm-up done; ${rounds} rounds of ${sliceMs} ms per case`);
  const allCases = groups.flatMap((group) => group.cases);
  for (let round = 0; round < rounds; round++) {
    for (const benchCase of rotate(allCases, round)) benchCase.rates.push(measure(benchCase, sliceMs));
    log(`signing: round ${round + 1}/${rounds} done`);
  }
  const twilioCreatePrivateKeyShare = await twilioPrivateKeyShare(VIDEO_GRANT_SPEC, 1000);
  return {
    rounds,
    sliceMs,
    warmupMs,
    twilioCreatePrivateKeyShare,
    groups: groups.map(({ name, cases }) => ({
      name,
      cases: cases.map(({ id, label, rates, isVerify }) => ({
        id,
        label,
        isVerify: Boolean(isVerify),
        perSecond: median(rates),
        spreadPercent: spreadPercent(rates),
      })),
    })),
    sink,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runSigningBench({ log: console.error });
  console.log(JSON.stringify(result, null, 2));
}
