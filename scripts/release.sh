#!/usr/bin/env bash
# `pnpm release`: build the packages, the test gate, then publish every package whose version is not
# on the registry yet (changeset publish, which also tags each release in git). Arguments go to the
# publish step (e.g. --no-git-tag). The registry is npm's unless npm_config_registry says otherwise;
# in GitHub Actions (.github/workflows/release.yml) npm publishes with provenance.
# The gate: typecheck, the packages' own suites, the packed packages (attw, publint) and the API
# reports. The whole suite (`pnpm test:all`) is CI's, before a release is merged.
set -euo pipefail
cd "$(dirname "$0")/.."

pnpm -r --filter "./packages/*" build
pnpm typecheck
pnpm exec vitest run packages/ test/packaging.test.ts
pnpm api:check
pnpm release:publish "$@"
