// Workers: the minified bundle of a token route, and signing/verifying inside workerd (Miniflare, no
// nodejs_compat, so core takes its portable @noble/hashes path) against the same loops in Node.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createHmac, createSecretKey } from 'node:crypto';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { verifyAccessToken } from '@grantor/core';
import { CREDENTIALS, ROOM, STUB_USER } from './lib/fixtures.mjs';
import { ROOT, readManifest } from './lib/install.mjs';
import { median, rotate } from './lib/stats.mjs';

export const ESBUILD_FLAGS = '--bundle --minify --format=esm --platform=neutral --conditions=workerd,worker,browser --main-fields=module,main';
const ESBUILD_OPTIONS = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
  metafile: true,
  write: false,
  logLevel: 'silent',
};
const COMPATIBILITY_DATE = '2026-01-01';
const LIVEKIT_KEY = { key: 'APIbench0123', secret: 'livekit-bench-secret-0123456789abcdef0123' };
const BINDINGS = {
  TWILIO_ACCOUNT_SID: CREDENTIALS.accountSid,
  TWILIO_API_KEY_SID: CREDENTIALS.keys.sid,
  TWILIO_API_KEY_SECRET: CREDENTIALS.keys.secret,
  LIVEKIT_API_KEY: LIVEKIT_KEY.key,
  LIVEKIT_API_SECRET: LIVEKIT_KEY.secret,
};

const GRANTOR_ENV_CREDENTIALS = `{ accountSid: env.TWILIO_ACCOUNT_SID, keys: { sid: env.TWILIO_API_KEY_SID, secret: env.TWILIO_API_KEY_SECRET } }`;
const POLICY = `({ params }) => ({ grants: { video: { room: params.room } } })`;

/** The minimal routes a user deploys; `dir` says which install each one is bundled from. */
export const ROUTES = [
  {
    id: 'hono',
    install: 'honoApp',
    label: 'grantor: Hono app + `@grantor/hono` `createTokenRoute`',
    source: `import { Hono } from 'hono';
import { createTokenRoute } from '@grantor/hono';
let route;
const app = new Hono();
app.use('/api/token', async (c, next) => { c.set('user', ${JSON.stringify(STUB_USER)}); await next(); });
app.all('/api/token', (c) => {
  const env = c.env;
  route ??= createTokenRoute({ credentials: ${GRANTOR_ENV_CREDENTIALS}, policy: ${POLICY} });
  return route(c);
});
export default app;
`,
  },
  {
    id: 'fetch',
    install: 'honoApp',
    label: 'grantor: `export default { fetch }` + core `createFetchHandler`',
    source: `import { createFetchHandler } from '@grantor/core';
let route;
export default {
  fetch(request, env) {
    route ??= createFetchHandler({ credentials: ${GRANTOR_ENV_CREDENTIALS}, policy: ${POLICY}, getUser: () => (${JSON.stringify(STUB_USER)}) });
    return route(request);
  },
};
`,
  },
  {
    id: 'livekit',
    install: 'livekit',
    label: 'livekit-server-sdk: `AccessToken` + `toJwt()` in `fetch`',
    source: `import { AccessToken } from 'livekit-server-sdk';
export default {
  async fetch(request, env) {
    const { room } = await request.json();
    const token = new AccessToken(env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET, { identity: ${JSON.stringify(STUB_USER.id)}, ttl: 3600 });
    token.addGrant({ roomJoin: true, room });
    return Response.json({ token: await token.toJwt(), identity: ${JSON.stringify(STUB_USER.id)} });
  },
};
`,
  },
  {
    id: 'livekit-all',
    install: 'livekit',
    label: 'livekit-server-sdk, the whole package kept (`import * as livekit`), same handler',
    source: `import * as livekit from 'livekit-server-sdk';
export default {
  async fetch(request, env) {
    const { room } = await request.json();
    const token = new livekit.AccessToken(env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET, { identity: ${JSON.stringify(STUB_USER.id)}, ttl: 3600 });
    token.addGrant({ roomJoin: true, room });
    return Response.json({ token: await token.toJwt(), identity: ${JSON.stringify(STUB_USER.id)}, exports: Object.keys(livekit).length });
  },
};
`,
  },
];

/** Where a bundled file came from: its package, or the route's own file. */
function packageOf(path) {
  const at = path.lastIndexOf('node_modules/');
  if (at === -1) return '(route entry)';
  const parts = path.slice(at + 'node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

async function bundle(dir, file, source, extra = {}) {
  writeFileSync(join(dir, file), source);
  const result = await build({ ...ESBUILD_OPTIONS, entryPoints: [join(dir, file)], absWorkingDir: dir, ...extra });
  const output = result.outputFiles[0];
  const [meta] = Object.values(result.metafile.outputs);
  const byPackage = new Map();
  const inputs = Object.entries(meta.inputs).map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }));
  for (const input of inputs) byPackage.set(packageOf(input.path), (byPackage.get(packageOf(input.path)) ?? 0) + input.bytes);
  return {
    code: output.text,
    minBytes: output.contents.byteLength,
    gzipBytes: gzipSync(output.contents, { level: 9 }).byteLength,
    packages: [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
    inputs: inputs.sort((a, b) => b.bytes - a.bytes).slice(0, 5),
    external: [...new Set(meta.imports.filter((entry) => entry.external).map((entry) => entry.path))],
    // import() calls left in the output, including those of a computed name esbuild cannot see.
    dynamicImports: output.text.match(/\bimport\(/g)?.length ?? 0,
  };
}

/**
 * The bundle as the one module of a worker. Listed explicitly, so Miniflare does not try to follow
 * the import() esbuild left external (core's optional express-validator, not installed): workerd
 * only fails it if it runs, and it runs only for an app that passes validators.
 */
const workerScript = (code) => ({ modules: [{ type: 'ESModule', path: 'worker.mjs', contents: code }] });

/** One POST {"room":"r1"} to the bundled route in workerd: it must answer 200 with a token. */
async function checkInWorkerd(route, code) {
  const mf = new Miniflare({ ...workerScript(code), compatibilityDate: COMPATIBILITY_DATE, bindings: BINDINGS });
  try {
    const response = await mf.dispatchFetch('http://localhost/api/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ room: ROOM }),
    });
    const text = await response.text();
    if (response.status !== 200) return `HTTP ${response.status}: ${text.slice(0, 200)}`;
    const { token } = JSON.parse(text);
    if (!route.id.startsWith('livekit')) {
      const { claims } = verifyAccessToken(token, CREDENTIALS);
      if (claims.grants.identity !== STUB_USER.id || claims.grants.video.room !== ROOM) return `unexpected claims ${JSON.stringify(claims.grants)}`;
    } else if (typeof token !== 'string' || token.split('.').length !== 3) return `no JWT in ${text.slice(0, 200)}`;
    return 'ok';
  } finally {
    await mf.dispose();
  }
}

/** Min + gzip size of each route's bundle, what is in it, and whether it runs in workerd. */
export async function measureWorkerBundles({ installs, log = () => {} }) {
  const results = [];
  for (const route of ROUTES) {
    const bundled = await bundle(installs[route.install], `route-${route.id}.mjs`, route.source);
    const check = await checkInWorkerd(route, bundled.code);
    const { code, ...sizes } = bundled;
    results.push({ id: route.id, label: route.label, ...sizes, check });
    log(`workers: bundled ${route.id} route, ${(bundled.minBytes / 1024).toFixed(1)} KiB min, workerd check: ${check}`);
  }
  // core inlines @noble/hashes (hmac + sha256) into its dist: its share of core's bytes, bundled alone.
  const noble = await bundle(
    installs.honoApp,
    'noble-only.mjs',
    `import { hmac } from '@noble/hashes/hmac.js';\nimport { sha256 } from '@noble/hashes/sha2.js';\nexport const sign = (key, data) => hmac(sha256, key, data);\n`,
    { nodePaths: [join(ROOT, 'packages', 'core', 'node_modules')] },
  );
  return { flags: ESBUILD_FLAGS, routes: results, nobleMinBytes: noble.minBytes };
}

const CASES = [
  { id: 'sign', label: '`signer.sign()`, one grant (video)' },
  { id: 'verify', label: '`verifyAccessToken()`' },
  {
    id: 'hmacSync',
    label: 'HMAC-SHA256 of the signing input alone, sync',
    workerd: '@noble/hashes (what core inlines)',
    node: 'node:crypto `createHmac` + KeyObject',
  },
  {
    id: 'hmacWebCrypto',
    label: 'HMAC-SHA256 of the signing input alone, WebCrypto',
    workerd: '`crypto.subtle.sign`, awaited',
    node: '`crypto.subtle.sign`, awaited',
  },
];

const LOOP_CONFIG = `{ credentials: ${JSON.stringify(CREDENTIALS)}, identity: ${JSON.stringify(STUB_USER.id)}, grants: ${JSON.stringify({ video: { room: ROOM } })} }`;

const WORKER_ENTRY = `import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { makeLoops } from './loops.mjs';
const utf8 = new TextEncoder();
const syncHmac = (secret) => {
  const keyed = hmac.create(sha256, utf8.encode(secret));
  return (input) => keyed.clone().update(utf8.encode(input)).digest();
};
// Built in the first request: workerd allows no random values (the jti) in global scope.
let loops;
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const name = url.searchParams.get('case');
    loops ??= makeLoops({ ...${LOOP_CONFIG}, syncHmac });
    if (name === 'token') return Response.json({ token: loops.token(), nodeCrypto: typeof globalThis.process?.getBuiltinModule === 'function' });
    const started = Date.now();
    const sink = await loops[name](Number(url.searchParams.get('n')));
    return Response.json({ sink, clockMs: Date.now() - started });
  },
};
`;

/** Timing from outside: workerd's clocks do not advance during a request's own computation. */
function workerdRunner(mf) {
  const call = async (name, n) => {
    const response = await mf.dispatchFetch(`http://localhost/?case=${name}&n=${n}`);
    return response.json();
  };
  return {
    call,
    async time(name, n) {
      const start = performance.now();
      const body = await call(name, n);
      return { ms: performance.now() - start, clockMs: body.clockMs };
    },
  };
}

function nodeRunner(loops) {
  return {
    async time(name, n) {
      const start = performance.now();
      await loops[name](n);
      return { ms: performance.now() - start };
    },
  };
}

/**
 * Operations per second of each case: a warm-up request picks `n` so one request takes about
 * `sliceMs`; then `rounds` rounds (cases rotating), each rate net of the median empty request.
 */
async function measureRuntime(runner, { rounds, sliceMs }) {
  const overheadSamples = [];
  for (let i = 0; i < 15; i++) overheadSamples.push((await runner.time('noop', 0)).ms);
  const overheadMs = median(overheadSamples);
  const cases = CASES.map((entry) => ({ ...entry, n: 200, rates: [], clockMs: [] }));
  for (const entry of cases) {
    for (let i = 0; i < 3; i++) {
      const { ms } = await runner.time(entry.id, entry.n);
      entry.n = Math.max(100, Math.round((entry.n * sliceMs) / Math.max(1, ms - overheadMs)));
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const entry of rotate(cases, round)) {
      const { ms, clockMs } = await runner.time(entry.id, entry.n);
      entry.rates.push((entry.n / Math.max(0.001, ms - overheadMs)) * 1000);
      if (clockMs !== undefined) entry.clockMs.push(clockMs);
    }
  }
  return {
    overheadMs,
    cases: cases.map(({ id, n, rates, clockMs }) => ({ id, n, perSecond: median(rates), clockMs: clockMs.length ? median(clockMs) : undefined })),
  };
}

export async function runWorkersBench({ installs, rounds = 5, sliceMs = 250, log = () => {} }) {
  const dir = installs.honoApp;
  copyFileSync(new URL('./workers/loops.mjs', import.meta.url), join(dir, 'loops.mjs'));
  const worker = await bundle(dir, 'perf-worker.mjs', WORKER_ENTRY, { nodePaths: [join(ROOT, 'packages', 'core', 'node_modules')] });
  const mf = new Miniflare({ ...workerScript(worker.code), compatibilityDate: COMPATIBILITY_DATE });
  let workerd;
  let nodeCrypto;
  try {
    const runner = workerdRunner(mf);
    const sample = await runner.call('token', 0);
    nodeCrypto = sample.nodeCrypto;
    // The token workerd signed must verify in Node: both builds give the same bytes.
    verifyAccessToken(sample.token, CREDENTIALS);
    workerd = await measureRuntime(runner, { rounds, sliceMs });
  } finally {
    await mf.dispose();
  }
  log('workers: workerd loops done');
  const coreDir = join(dir, 'node_modules', '@grantor', 'core');
  const { makeLoops } = await import(pathToFileURL(join(dir, 'loops.mjs')).href);
  const config = { credentials: CREDENTIALS, identity: STUB_USER.id, grants: { video: { room: ROOM } } };
  const loops = makeLoops({
    ...config,
    syncHmac: (secret) => {
      const key = createSecretKey(Buffer.from(secret, 'utf8'));
      return (input) => createHmac('sha256', key).update(input).digest();
    },
  });
  const node = await measureRuntime(nodeRunner(loops), { rounds, sliceMs });
  log('workers: Node loops done');
  return {
    rounds,
    sliceMs,
    compatibilityDate: COMPATIBILITY_DATE,
    workerdHasNodeCrypto: nodeCrypto,
    coreVersion: readManifest(coreDir).version,
    workerdOverheadMs: workerd.overheadMs,
    cases: CASES.map((entry, index) => ({
      ...entry,
      workerd: workerd.cases[index],
      node: node.cases[index],
      workerdImpl: entry.workerd,
      nodeImpl: entry.node,
    })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { prepareInstalls } = await import('./footprint.mjs');
  const { removeScratch } = await import('./lib/install.mjs');
  try {
    const installs = prepareInstalls({ log: console.error });
    const bundles = await measureWorkerBundles({ installs, log: console.error });
    const throughput = await runWorkersBench({ installs, log: console.error });
    console.log(JSON.stringify({ bundles, throughput }, null, 2));
  } finally {
    removeScratch();
  }
}
