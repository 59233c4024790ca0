#!/usr/bin/env bash
# Everything the tests need on a fresh machine (after `pnpm install`): Chromium for the browser
# tests and redis-server for the rate-limit tests, the build, the typecheck, then every suite. Ends with a plain "N passed, N failed" line.
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
