// The public API of each published library, as API Extractor reads it from the built types
// (dist/index.d.mts, which tsdown writes): `node scripts/api-report.mjs [--update] [package folder...]`.
// Without --update (`pnpm api:check`) it fails when the API differs from the committed report
// <package>/etc/<folder name>.api.md, and prints the difference; with --update (`pnpm api:update`) it
// writes the report. Without folders: every package under packages/ that has types (the CLI has none).
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const update = args.includes('--update');
const folders = args.filter((arg) => arg !== '--update').map((arg) => resolve(arg));
const packages = folders.length > 0 ? folders : readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name));

// Messages that would only ask for more TSDoc: the report records the API, the README documents it.
const quiet = { logLevel: ExtractorLogLevel.None, addToApiReportFile: false };

let failed = 0;
for (const dir of packages) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private || !manifest.types) continue;
  const entry = join(dir, 'dist', 'index.d.mts');
  if (!existsSync(entry)) {
    console.error(`${manifest.name}: ${entry} is missing: build the package first (pnpm build)`);
    failed++;
    continue;
  }
  if (update) mkdirSync(join(dir, 'etc'), { recursive: true });
  const temp = mkdtempSync(join(tmpdir(), 'grantor-api-'));
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: dir,
      mainEntryPointFilePath: entry,
      compiler: {
        overrideTsconfig: {
          compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2023', 'dom'], types: [], skipLibCheck: true },
        },
      },
      apiReport: { enabled: true, reportFolder: join(dir, 'etc'), reportTempFolder: temp, reportFileName: basename(dir) },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        extractorMessageReporting: { 'ae-missing-release-tag': quiet, 'ae-undocumented': quiet },
        tsdocMessageReporting: { default: quiet },
      },
    },
    packageJsonFullPath: join(dir, 'package.json'),
  });
  const result = Extractor.invoke(config, {
    localBuild: update,
    messageCallback: (message) => {
      if (message.logLevel === ExtractorLogLevel.Verbose) message.handled = true;
    },
  });
  const report = join(dir, 'etc', `${basename(dir)}.api.md`);
  if (!result.succeeded) {
    failed++;
    if (result.apiReportChanged && existsSync(report)) {
      console.error(`${manifest.name}: the API differs from ${report}. The built API is in ${join(temp, `${basename(dir)}.api.md`)};`);
      console.error('if the change is meant, run `pnpm api:update` and commit the report (see CONTRIBUTING.md, "API reports").');
      continue; // the temp report stays for a look
    }
  } else {
    console.log(`${manifest.name}: ${update && result.apiReportChanged ? `${report} written` : 'the API matches its report'}`);
  }
  rmSync(temp, { recursive: true, force: true });
}
process.exit(failed > 0 ? 1 : 0);
