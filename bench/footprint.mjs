// Footprint: cold import time in fresh processes, and the size of each package's production tree,
// both from packages installed as users get them (see lib/install.mjs).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedPackages, npmInstall, packWorkspace, treeBytes } from './lib/install.mjs';
import { median, rotate } from './lib/stats.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
/** The version bench/package.json resolved, so the registry installs match what the other parts measure. */
const benchVersion = (name) => JSON.parse(readFileSync(join(BENCH_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;

/**
 * Packs @grantor/core and @grantor/hono and npm-installs, each in its own temporary folder:
 * core alone, core + @grantor/hono + hono (the Workers app), twilio, livekit-server-sdk.
 */
export function prepareInstalls({ log = () => {} } = {}) {
  const tarballs = packWorkspace(['@grantor/core', '@grantor/hono']);
  const installs = {
    core: npmInstall('core', [tarballs.get('@grantor/core')]),
    honoApp: npmInstall('hono-app', [tarballs.get('@grantor/core'), tarballs.get('@grantor/hono'), `hono@${benchVersion('hono')}`]),
    twilio: npmInstall('twilio', [`twilio@${benchVersion('twilio')}`]),
    livekit: npmInstall('livekit', [`livekit-server-sdk@${benchVersion('livekit-server-sdk')}`]),
    // jose as bearerUser would get it were it a dependency rather than bundled (see the JOSE rows).
    jose: npmInstall('jose', [`jose@${benchVersion('jose')}`]),
  };
  // Empty modules: what Node's loader costs before any package code runs (the floor of each row).
  writeFileSync(join(installs.core, 'empty.cjs'), '');
  writeFileSync(join(installs.core, 'empty.mjs'), '');
  log('footprint: packed and npm-installed core, the Hono app, twilio, livekit-server-sdk and jose');
  return installs;
}

/** What each cold-import row loads, and from which install. */
export const IMPORTS = [
  { id: 'core-cjs', label: "`require('@grantor/core')`", specifier: '@grantor/core', esm: false, install: 'core' },
  { id: 'core-esm', label: "`import('@grantor/core')` (ESM)", specifier: '@grantor/core', esm: true, install: 'core' },
  { id: 'empty-cjs', label: '`require()` of an empty .cjs file (the loader alone)', specifier: './empty.cjs', esm: false, install: 'core' },
  { id: 'empty-esm', label: '`import()` of an empty .mjs file (the loader alone)', specifier: './empty.mjs', esm: true, install: 'core' },
  {
    id: 'node-crypto',
    label: "node:crypto's first use alone, as core's runtime check makes it (`process.getBuiltinModule('node:crypto').createHmac`)",
    code: "process.getBuiltinModule('node:crypto').createHmac",
    esm: false,
    install: 'core',
  },
  {
    id: 'jose-chunk',
    label: "core's bundled jose chunk, loaded by `bearerUser` on the first bearer token",
    specifier: '@grantor/core/jose-chunk',
    esm: true,
    install: 'core',
  },
  { id: 'jose', label: "`import('jose')`: the whole package, were it a dependency imported with core", specifier: 'jose', esm: true, install: 'jose' },
  { id: 'twilio', label: "`require('twilio')`", specifier: 'twilio', esm: false, install: 'twilio' },
  { id: 'twilio-token', label: "`require('twilio/lib/jwt/AccessToken')`", specifier: 'twilio/lib/jwt/AccessToken', esm: false, install: 'twilio' },
];

/** The installed path of core's jose chunk (`dist/jose-<hash>.mjs`), relative to the install folder. */
function joseChunk(cwd) {
  const dist = join(cwd, 'node_modules', '@grantor', 'core', 'dist');
  return `./node_modules/@grantor/core/dist/${readdirSync(dist).find((file) => /^jose-.*\.mjs$/.test(file))}`;
}

/**
 * Milliseconds the import itself takes in a fresh node process (process start-up excluded): wall
 * time, and the process's CPU time (user + system) over the same call, which other processes
 * competing for the cores inflate much less. The import runs from a script file in the install
 * folder, as an app's own file would (\`node -e\` preloads parts of Node and skews both).
 */
function coldImport({ id, specifier: named, esm, code }, cwd) {
  const specifier = named === '@grantor/core/jose-chunk' ? joseChunk(cwd) : named;
  const load = code ?? (esm ? `await import(${JSON.stringify(specifier)})` : `require(${JSON.stringify(specifier)})`);
  const script = join(cwd, `cold-import-${id}.${esm ? 'mjs' : 'cjs'}`);
  writeFileSync(
    script,
    `const cpu = process.cpuUsage(); const start = process.hrtime.bigint(); ${load}; const wall = Number(process.hrtime.bigint() - start) / 1e6; const used = process.cpuUsage(cpu); process.stdout.write(wall + ' ' + (used.user + used.system) / 1e3);`,
  );
  const [wallMs, cpuMs] = execFileSync(process.execPath, [script], { cwd, encoding: 'utf8', timeout: 30_000 }).split(' ').map(Number);
  return { wallMs, cpuMs };
}

export function measureColdImports({ installs, runs = 10, log = () => {} }) {
  // Which file each row really loaded: the packed dist, not a workspace link.
  const resolved = IMPORTS.map(({ specifier, esm, install, code }) => {
    if (code) return '(built-in)';
    if (specifier === '@grantor/core/jose-chunk') return joseChunk(installs[install]).slice(2);
    const find = esm
      ? `console.log(new URL(import.meta.resolve(${JSON.stringify(specifier)})).pathname)`
      : `console.log(require.resolve(${JSON.stringify(specifier)}))`;
    const args = esm ? ['--input-type=module', '-e', find] : ['-e', find];
    return execFileSync(process.execPath, args, { cwd: installs[install], encoding: 'utf8' }).trim();
  });
  const samples = IMPORTS.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const index of rotate([...IMPORTS.keys()], run)) samples[index].push(coldImport(IMPORTS[index], installs[IMPORTS[index].install]));
  }
  log(`footprint: ${runs} cold imports of each module done`);
  return IMPORTS.map((entry, index) => ({
    id: entry.id,
    label: entry.label,
    resolved: entry.code || entry.id === 'jose-chunk' ? resolved[index] : resolved[index].slice(installs[entry.install].length + 1),
    medianMs: median(samples[index].map((sample) => sample.wallMs)),
    minMs: Math.min(...samples[index].map((sample) => sample.wallMs)),
    cpuMedianMs: median(samples[index].map((sample) => sample.cpuMs)),
  }));
}

/** The installed tree of `name` in its own `npm install --omit=dev` folder: every package, bytes on disk. */
function describeInstall(dir, name) {
  const nodeModules = join(dir, 'node_modules');
  const packages = installedPackages(nodeModules);
  const self = packages.find((entry) => entry.name === name);
  const dependencies = packages.filter((entry) => entry !== self);
  const { bytes, diskBytes } = treeBytes(nodeModules);
  return {
    name,
    label: `${name} ${self.version}`,
    ownBytes: self.bytes,
    packageCount: packages.length,
    dependencyCount: dependencies.length,
    totalBytes: bytes,
    diskBytes,
    largest: [...dependencies].sort((a, b) => b.bytes - a.bytes).slice(0, 4),
  };
}

export function measureInstallSizes({ installs, log = () => {} }) {
  const sizes = [
    describeInstall(installs.core, '@grantor/core'),
    describeInstall(installs.twilio, 'twilio'),
    describeInstall(installs.livekit, 'livekit-server-sdk'),
    describeInstall(installs.jose, 'jose'),
  ];
  log('footprint: install sizes done');
  return sizes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { removeScratch } = await import('./lib/install.mjs');
  try {
    const installs = prepareInstalls({ log: console.error });
    console.log(
      JSON.stringify({ imports: measureColdImports({ installs, log: console.error }), sizes: measureInstallSizes({ installs, log: console.error }) }, null, 2),
    );
  } finally {
    removeScratch();
  }
}
