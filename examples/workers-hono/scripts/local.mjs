// The Worker in workerd without wrangler (which needs Node 22.12): bundled with esbuild the way
// wrangler bundles it, run by Miniflare with wrangler.toml's compatibility date and [vars] (.dev.vars
// over them, as wrangler dev does), no compatibility flags. `pnpm --filter @grantor/example-workers-hono
// local`; the e2e test uses it too.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

export const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The top-level `key = "value"` lines of one wrangler.toml table ('' for the top level). */
function tomlTable(toml, table) {
  const values = {};
  let current = '';
  for (const line of toml.split('\n')) {
    const header = /^\[([^\]]+)\]\s*$/.exec(line.trim());
    if (header) current = header[1];
    const entry = /^"?([\w.-]+)"?\s*=\s*"([^"]*)"/.exec(line.trim());
    if (entry && current === table) values[entry[1]] = entry[2];
  }
  return values;
}

export const toml = readFileSync(join(EXAMPLE, 'wrangler.toml'), 'utf8');
export const config = tomlTable(toml, '');
export const vars = tomlTable(toml, 'vars');

/**
 * [vars] with the `NAME=value` lines of `devVarsFile` over them, as `wrangler dev` takes `.dev.vars`:
 * without them, real credentials put there would be ignored and every token signed with the demo's.
 */
export function localBindings(devVarsFile = join(EXAMPLE, '.dev.vars')) {
  if (!existsSync(devVarsFile)) return vars;
  return { ...vars, ...parseEnv(readFileSync(devVarsFile, 'utf8')) };
}

/**
 * Starts the Worker; `port` serves it over HTTP (otherwise use `dispatchFetch`). `conditions` adds
 * export conditions, e.g. `source` for this repository's TypeScript packages.
 */
export async function startWorker({ port, conditions = [], bindings = vars } = {}) {
  const bundle = await build({
    entryPoints: [join(EXAMPLE, config.main)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser', ...conditions],
    mainFields: ['module', 'main'],
    minify: true,
    logLevel: 'silent',
  });
  // The module given as wrangler gives it: Miniflare's own `script` analysis refuses core's run-time import of express-validator.
  const modules = [{ type: 'ESModule', path: join(EXAMPLE, 'worker.mjs'), contents: bundle.outputFiles[0].text }];
  const mf = new Miniflare({
    modules,
    compatibilityDate: config.compatibility_date,
    bindings,
    ...(port === undefined ? {} : { port, host: '127.0.0.1' }),
  });
  await mf.ready;
  return mf;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8787);
  await startWorker({ port, bindings: localBindings() });
  console.log(`grantor Workers + Hono example in workerd (Miniflare): http://localhost:${port}`);
}
