// `pnpm bench`: signing, footprint and HTTP benchmarks in one run; writes BENCHMARKS.md and prints it.
import { writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, release, type } from 'node:os';
import { measureColdImports, measureInstallSizes, prepareInstalls } from './footprint.mjs';
import { removeScratch } from './lib/install.mjs';
import { runHttpBench } from './http/bench.mjs';
import { renderReport } from './report.mjs';
import { runBearerBench } from './bearer.mjs';
import { runSigningBench } from './sign.mjs';
import { measureWorkerBundles, runWorkersBench } from './workers.mjs';

const LIMIT_MINUTES = 12;
const COLD_IMPORT_RUNS = 20;
const log = (line) => console.error(`[bench] ${line}`);

// Servers and the load generator exit when this process goes away, so stopping here stops everything.
setTimeout(() => {
  log(`stopped: still running after ${LIMIT_MINUTES} minutes`);
  process.exit(1);
}, LIMIT_MINUTES * 60_000).unref();

const started = Date.now();
const machine = {
  cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  arch: arch(),
  node: process.version,
  os: `${type()} ${release()}`,
  date: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
  loadBefore: loadavg()[0],
};

const signing = await runSigningBench({ log });
const bearer = await runBearerBench({ log });
// Everything below that needs a package as users get it uses these npm installs of packed tarballs.
const installs = prepareInstalls({ log });
let footprint;
let workers;
try {
  footprint = {
    runs: COLD_IMPORT_RUNS,
    imports: measureColdImports({ installs, runs: COLD_IMPORT_RUNS, log }),
    sizes: measureInstallSizes({ installs, log }),
  };
  workers = { bundles: await measureWorkerBundles({ installs, log }), throughput: await runWorkersBench({ installs, log }) };
} finally {
  removeScratch();
}
const http = await runHttpBench({ log });
machine.loadAfter = loadavg()[0];
machine.durationMinutes = (Date.now() - started) / 60_000;

const report = renderReport({ machine, signing, bearer, footprint, workers, http });
writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), report);
console.log(report);
