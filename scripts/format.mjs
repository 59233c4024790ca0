// `pnpm format` formats the repository with Biome (or the files named after it); `pnpm format --check`
// only checks, printing what would change and failing when anything would: Biome's own `format` command
// checks without `--write` and has no `--check` flag, so this maps the one onto the other.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const check = args.includes('--check');
const paths = args.filter((arg) => arg !== '--check' && arg !== '--write');
const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
const result = spawnSync(process.execPath, [biome, 'format', ...(check ? [] : ['--write']), ...paths], { stdio: 'inherit' });
process.exit(result.status ?? 1);
