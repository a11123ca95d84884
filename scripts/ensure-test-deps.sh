#!/usr/bin/env bash
# `make test` runs this first: it checks for the system packages the tests need
# beyond Go and Node, installs the missing ones when it can (root with apt-get,
# as on a fresh CI machine), and otherwise stops with the one command to run.
#   chromium        browser end-to-end tests (playwright-core drives /usr/bin/chromium,
#                   or $CHROMIUM_PATH when set)
#   fonts-noto-cjk  Korean, Japanese and Chinese glyphs in the screenshots those tests take
#   gcc libc6-dev   go test -race needs cgo
set -euo pipefail

missing_tools=()
command -v go >/dev/null || missing_tools+=("Go 1.26 (https://go.dev/dl/)")
command -v npm >/dev/null || missing_tools+=("Node 20+ with npm (https://nodejs.org/)")
if [ ${#missing_tools[@]} -gt 0 ]; then
  printf 'make test needs %s\n' "${missing_tools[@]}" >&2
  exit 1
fi

need=()
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] || { echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2; exit 1; }
else
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v gcc >/dev/null || need+=(gcc)
[ -e /usr/include/stdio.h ] || need+=(libc6-dev)
[ ${#need[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${need[*]}"
if ! command -v apt-get >/dev/null; then
  echo "make test needs these Debian packages (or your system's equivalents): ${need[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "make test needs ${need[*]}; run:" >&2
  echo "  sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
echo "ensure-test-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is wanted
apt-get install -y -qq --no-install-recommends ${need[*]} >/dev/null
