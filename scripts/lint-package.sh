#!/usr/bin/env bash
# attw and publint on the package in the current folder, packed by pnpm as it is published: pnpm
# applies publishConfig (npm pack, which `attw --pack` uses, would not).
set -euo pipefail
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
pnpm pack --pack-destination "$dir" >/dev/null
attw "$dir"/*.tgz
publint --pack pnpm --strict
