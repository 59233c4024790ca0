#!/usr/bin/env bash
# Everything the tests need on a fresh machine (after `pnpm install`): Chromium for the browser
# tests, the build, the typecheck, then every suite. Ends with a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "chromium install failed"
  else
    echo "chromium is not installed and this user cannot apt-get it: the browser tests will fail."
  fi
fi

pnpm build || { echo "0 passed, 1 failed"; exit 1; }
pnpm typecheck || { echo "0 passed, 1 failed"; exit 1; }

rm -f test-results.json
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=test-results.json
status=$?
if [ -f test-results.json ]; then
  node -e 'const r = require("./test-results.json"); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`); if (r.numTotalTests === 0) process.exit(1)' || status=1
else
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
