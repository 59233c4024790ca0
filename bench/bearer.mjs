// Bearer tokens: what verifying the identity provider's JWT (bearerUser, JWKS cached) adds to each
// token request. Every case answers a Web Request through core's fetch handler, the route all adapters
// share; rounds alternate the cases. The provider is a loopback server with discovery and a JWKS.
import { createServer } from 'node:http';
import { constants, generateKeyPairSync, sign, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { bearerUser, createFetchHandler, createSigner } from '@grantor/core';
import { CREDENTIALS, REQUEST_BODY, STUB_USER, VIDEO_GRANT_SPEC } from './lib/fixtures.mjs';
import { median, rotate, spreadPercent } from './lib/stats.mjs';

export const AUDIENCE = 'https://api.bench.test';

/**
 * A key for each algorithm of bearerUser's default allowlist: RS256 and ES256 are what providers sign
 * with by default (Auth0, Cognito, Entra ID, Firebase: RS256; Clerk, Supabase: either), PS256 and
 * EdDSA are the others a provider may be set to. How each signs (node:crypto's sign options) is beside it.
 */
const KEYS = {
  RS256: { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), hash: 'sha256', options: {} },
  PS256: { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), hash: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  ES256: { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }), hash: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { ...generateKeyPairSync('ed25519'), hash: null, options: {} },
};

/** A provider on loopback: its OpenID configuration and JWKS (a key per algorithm). */
export async function startProvider() {
  const server = createServer((request, response) => {
    const { port } = server.address();
    const issuer = `http://127.0.0.1:${port}`;
    const body =
      request.url === '/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/jwks` }
        : { keys: Object.entries(KEYS).map(([alg, { publicKey }]) => ({ ...publicKey.export({ format: 'jwk' }), kid: alg, alg, use: 'sig' })) };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { issuer: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** A provider's access token, as a native app would send it; valid for the whole run. */
export function providerToken(alg, issuer) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${part({ alg, typ: 'at+jwt', kid: alg })}.${part({ iss: issuer, sub: STUB_USER.id, aud: AUDIENCE, iat: now, exp: now + 3600 })}`;
  const { hash, privateKey, options } = KEYS[alg];
  return `${input}.${sign(hash, Buffer.from(input), { key: privateKey, ...options }).toString('base64url')}`;
}

const policy = () => ({ grants: VIDEO_GRANT_SPEC });

/**
 * The least any route that verifies a bearer token and mints can do: one node:crypto `verify` of the
 * token's signature with the public key ready (no parsing, no key lookup, no claim checks), then mint.
 */
function signatureCheckThen(route, alg, token) {
  const { hash, publicKey, options } = KEYS[alg];
  const dot = token.lastIndexOf('.');
  const input = Buffer.from(token.slice(0, dot));
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  return (request) => {
    if (!verify(hash, input, { key: publicKey, ...options }, signature)) throw new Error(`${alg}: the signature does not verify`);
    return route(request);
  };
}

function casesFor(issuer) {
  const sessionRoute = createFetchHandler({ credentials: CREDENTIALS, policy, getUser: () => STUB_USER });
  const bearerRoute = createFetchHandler({ credentials: CREDENTIALS, policy, getUser: bearerUser({ issuer, audience: AUDIENCE }) });
  const request = (authorization) => () =>
    new Request('http://127.0.0.1/api/token', { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: REQUEST_BODY });
  const signer = createSigner(CREDENTIALS);
  return [
    { id: 'mint', label: 'token route, user already known (a session): mint alone', run: sessionRoute, request: request('') },
    ...Object.keys(KEYS).map((alg) => ({
      id: `bearer-${alg}`,
      label: `token route with \`bearerUser\`, ${alg} provider token: verify + mint`,
      run: bearerRoute,
      request: request(`Bearer ${providerToken(alg, issuer)}`),
    })),
    ...Object.keys(KEYS).map((alg) => ({
      id: `limit-${alg}`,
      label: `the limit for ${alg}: mint alone + node:crypto's \`verify\` of the token's signature, nothing else`,
      run: signatureCheckThen(sessionRoute, alg, providerToken(alg, issuer)),
      request: request(''),
    })),
    {
      id: 'sign',
      label: '`signer.sign()` alone (no route)',
      run: async () => signer.sign({ identity: STUB_USER.id, grants: VIDEO_GRANT_SPEC }),
      request: () => undefined,
      bare: true,
    },
  ];
}

let sink = 0;

/** Requests in flight at once, as on a server with several clients; the same for every case. */
const CONCURRENCY = 8;

/**
 * Requests per second over about `sliceMs`, `CONCURRENCY` at a time, and the CPU time each took: the
 * whole process's, so work that runs on libuv's threads (signature checks) counts too.
 */
async function measure({ run, request, bare }, sliceMs) {
  let operations = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  const one = async () => {
    const response = await run(request());
    sink ^= bare ? response.token.length : response.status;
  };
  do {
    await Promise.all(Array.from({ length: CONCURRENCY }, one));
    operations += CONCURRENCY;
    elapsed = performance.now() - start;
  } while (elapsed < sliceMs);
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: (operations / elapsed) * 1000, cpuMicros: (cpu.user + cpu.system) / operations };
}

export async function runBearerBench({ rounds = 15, sliceMs = 300, warmupMs = 500, log = () => {} } = {}) {
  const provider = await startProvider();
  try {
    const cases = casesFor(provider.issuer);
    for (const benchCase of cases.filter((entry) => !entry.bare)) {
      const response = await benchCase.run(benchCase.request());
      if (response.status !== 200) throw new Error(`${benchCase.label} answered ${response.status}: ${await response.text()}`);
    }
    for (const benchCase of cases) {
      await measure(benchCase, warmupMs);
      benchCase.rates = [];
      benchCase.cpuMicros = [];
    }
    for (let round = 0; round < rounds; round++) {
      for (const benchCase of rotate(cases, round)) {
        const { perSecond, cpuMicros } = await measure(benchCase, sliceMs);
        benchCase.rates.push(perSecond);
        benchCase.cpuMicros.push(cpuMicros);
      }
    }
    log(`bearer: ${rounds} rounds of ${sliceMs} ms per case done`);
    const mint = cases.find((entry) => entry.id === 'mint');
    return {
      rounds,
      sliceMs,
      concurrency: CONCURRENCY,
      cases: cases.map(({ id, label, rates, cpuMicros }) => ({
        id,
        label,
        perSecond: median(rates),
        spread: spreadPercent(rates),
        // Paired within each round (the cases alternate), so load that comes and goes cancels out.
        vsMint: median(rates.map((rate, round) => rate / mint.rates[round])),
        cpuMicros: median(cpuMicros),
        // Mint's CPU time over this case's: what the ratio would be with one core and nothing else running.
        cpuVsMint: median(cpuMicros.map((micros, round) => mint.cpuMicros[round] / micros)),
      })),
    };
  } finally {
    await provider.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `node bench/bearer.mjs [rounds]`: more rounds for a steadier median on a busy machine.
  const rounds = Number(process.argv[2]) || undefined;
  console.log(JSON.stringify(await runBearerBench({ rounds, log: console.error }), null, 2));
}
