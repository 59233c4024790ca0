// `pnpm -s grantor <command> [args]`: the grantor CLI of this checkout, for before a release is on
// npm (the demo pages' hint next to `npx @grantor/cli decode <token>`). Builds the CLI and core
// first when a file under their src/ is newer than the CLI's build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'packages/cli/dist/cli.mjs');
const newest = (dir) =>
  Math.max(
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => statSync(join(f.parentPath, f.name)).mtimeMs),
  );
const sources = ['packages/cli/src', 'packages/core/src'].map((dir) => newest(join(root, dir)));
if (!existsSync(cli) || Math.max(...sources) > statSync(cli).mtimeMs) {
  execFileSync('pnpm', ['--silent', '--filter', '@grantor/cli...', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
process.argv.splice(1, 1, cli);
await import(cli);
