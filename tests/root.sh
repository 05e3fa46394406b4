#!/usr/bin/env bash
# `make test` on a machine where it does not run as root: every test but the ones that need
# root (network namespaces, live capture, raw sockets) has run as the user; this runs those as
# root through sudo, or, where there is no sudo, says loudly which did not run and how to run
# them. Under CI=true they always run (and fail without root: they never skip).
# Usage: tests/root.sh CARGO TEST...
set -uo pipefail
cargo=$1; shift
tests=("$@")
args=(); for t in "${tests[@]}"; do args+=(--test "$t"); done
if [ "$(id -u)" != 0 ] && [ "${CI:-}" != true ] && ! command -v sudo >/dev/null; then
  echo "synack: NOT RUN (they need root and there is no sudo): ${tests[*]}; run them as root: cargo test ${args[*]}" >&2
  exit 0
fi
# Built as the user (target/ stays the user's); only the test binaries run as root.
bins=$("$cargo" test "${args[@]}" --no-run --message-format=json 2>/dev/null \
  | grep '"kind":\["test"\]' | grep -o '"executable":"[^"]*"' | sed 's/"executable":"\(.*\)"/\1/') || exit 1
[ -n "$bins" ] || { echo "synack: could not build the root tests: ${tests[*]}" >&2; exit 1; }
run_as_root=(); [ "$(id -u)" != 0 ] && command -v sudo >/dev/null && run_as_root=(sudo -E)
status=0
for b in $bins; do
  echo "running $(basename "$b") as root"
  "${run_as_root[@]}" "$b" || status=1
done
exit $status
