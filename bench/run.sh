#!/usr/bin/env bash
# `make bench`: end-to-end benchmarks of callboard beside the designs users
# have today. Prints one table and writes bench/results/latest.md.
# Extra arguments go to benchall (e.g. -runs 5 -only fanout -profile -scale 0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f ui/dist/index.html ]; then
  npm run build
fi
bin="$(mktemp -d)/benchall"
trap 'rm -rf "$(dirname "$bin")"' EXIT
CGO_ENABLED=0 go build -o "$bin" ./bench/cmd/benchall
"$bin" "$@"
