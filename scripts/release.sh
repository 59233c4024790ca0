#!/usr/bin/env bash
# `pnpm release`: build the packages, the test gate, then publish every package whose version is not
# on the registry yet (changeset publish, which also tags each release in git). Arguments go to the
# publish step (e.g. --no-git-tag). The registry is npm's unless npm_config_registry says otherwise;
# in GitHub Actions (.github/workflows/release.yml) npm publishes with provenance.
# The gate: typecheck, the packages' own suites, the packed packages (attw, publint) and the API
# reports. The whole suite (`pnpm test:all`) is CI's, before a release is merged.
# GRANTOR_RELEASE_SUITES_PASSED=1 leaves out the gate's test suites, and only them, for a caller that
# runs them itself on the same source: test/release-flow.test.ts runs this script in a clone from
# inside CI's vitest run, which has those suites (and would otherwise start vitest inside vitest).
set -euo pipefail
cd "$(dirname "$0")/.."

pnpm -r --filter "./packages/*" build
pnpm typecheck
if [ "${GRANTOR_RELEASE_SUITES_PASSED:-}" = 1 ]; then
  echo "GRANTOR_RELEASE_SUITES_PASSED=1: the gate's suites (packages/, test/packaging.test.ts) are left to the caller's run"
else
  pnpm exec vitest run packages/ test/packaging.test.ts
fi
pnpm api:check
pnpm release:publish "$@"
