#!/usr/bin/env bash
# Everything the tests need on a fresh machine (after `pnpm install`): Chromium for the browser
# tests and redis-server for the rate-limit tests, the build, the typecheck, then every suite on Node 20
# and the named ones on Node 22 and 24. Ends with a plain "N passed, N failed" line for all of them.
set -uo pipefail
cd "$(dirname "$0")/.."

# Debian packages the suites need: chromium (browser tests) and redis-server (the shared rate limit).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's ${missing[*]} for the tests..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) || echo "installing ${missing[*]} failed"
  else
    echo "${missing[*]} not installed and this user cannot apt-get them: the tests that need them will fail."
  fi
fi

pnpm build || { echo "0 passed, 1 failed"; exit 1; }
pnpm typecheck || { echo "0 passed, 1 failed"; exit 1; }
pnpm lint || { echo "0 passed, 1 failed"; exit 1; }

# Every suite on Node 20 (this machine's node), then the unit, conformance and packaging suites and
# one host app on Node 22 and on Node 24 (each binary from npm's `node` package, first on PATH so npm,
# pnpm and every child process a suite starts run on it too). One JSON report per run; the closing
# line adds them up.
OTHER_NODES=(22 24)
# A run that hangs is stopped (and, with no report, counted as a failure) instead of holding CI.
OTHER_NODE_RUN_LIMIT=15m
OTHER_NODE_SLOW_SUITES=(
  test/adapter-conformance.test.ts test/twilio-conformance/ test/packaging.test.ts
  test/host-apps/packed-exports.test.ts test/host-apps/registry-install.test.ts test/host-apps/express-todos.test.ts
)

# The grantor vs twilio-node differential draws a random seed per run (each vitest run its own), prints
# it, and names it in a failure: replay with GRANTOR_DIFF_SEED=<seed>. No seed is pinned: the one open
# case (seed 685774947, a grant key "é" signed as "\\" on Deno) was the runtime drivers' JSON meeting a
# V8 JSON.parse bug (test/runtimes/README.md), and random seeds have passed on every runtime since.

rm -f test-results-*.json
status=0
reports=(node20)
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=test-results-node20.json || status=1
for major in "${OTHER_NODES[@]}"; do
  reports+=("node$major-unit" "node$major-slow")
  if ! bin="$(npx -y "node@$major" -p 'require("node:path").dirname(process.execPath)')"; then
    echo "Node $major could not be installed from npm"
    status=1
    continue
  fi
  echo "Node $major ($bin): the unit project, then ${OTHER_NODE_SLOW_SUITES[*]}"
  PATH="$bin:$PATH" timeout --kill-after=30 "$OTHER_NODE_RUN_LIMIT" node node_modules/vitest/vitest.mjs run --project unit \
    --reporter=default --reporter=json --outputFile.json="test-results-node$major-unit.json" || status=1
  PATH="$bin:$PATH" timeout --kill-after=30 "$OTHER_NODE_RUN_LIMIT" node node_modules/vitest/vitest.mjs run --project slow "${OTHER_NODE_SLOW_SUITES[@]}" \
    --reporter=default --reporter=json --outputFile.json="test-results-node$major-slow.json" || status=1
done

# Each run's counts (a missing or empty report, or a failure outside the tests, counts as one), then
# their sum on one plain line.
node -e '
const fs = require("node:fs");
let passed = 0, failed = 0;
for (const run of process.argv.slice(1)) {
  const file = `test-results-${run}.json`;
  const r = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : { numTotalTests: 0 };
  if (r.numTotalTests === 0) {
    console.log(`(${run}: no test results)`);
    failed += 1;
    continue;
  }
  // Name each failure here, next to the closing line: a long log may be shown only by its tail. A file
  // that failed outside any test (a beforeAll, an import) counts as one failure.
  const failures = [];
  const flaky = [];
  for (const file of r.testResults ?? []) {
    const failedTests = file.assertionResults.filter((test) => test.status === "failed");
    const firstLine = (message) => String(message ?? "").split("\n")[0].slice(0, 300);
    if (file.status === "failed" && failedTests.length === 0) failures.push(`${file.name}: ${firstLine(file.message)}`);
    for (const test of failedTests) failures.push(`${file.name} > ${test.fullName}: ${firstLine(test.failureMessages[0])}`);
    // Passed on the retry vitest.config.ts allows: the report keeps the error of its first run.
    for (const test of file.assertionResults.filter((test) => test.status === "passed" && test.failureMessages.length > 0)) {
      flaky.push(`${file.name} > ${test.fullName}: ${firstLine(test.failureMessages[0])}`);
    }
  }
  const runFailed = Math.max(failures.length, r.numFailedTests, r.success ? 0 : 1);
  console.log(`(${run}: ${r.numPassedTests} tests passed and ${runFailed} failed)`);
  for (const failure of failures) console.log(`  FAILED ${failure}`);
  for (const test of flaky) console.log(`  FLAKY (passed on its retry) ${test}`);
  passed += r.numPassedTests;
  failed += runFailed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
' "${reports[@]}" || status=1
exit $status
