#!/usr/bin/env bash
# `make fuzz`: runs each cargo-fuzz target for FUZZ_TIME seconds (default 60), seeded from
# fixtures/ and ../shared/corpus, then says which found crashes (fuzz/artifacts/TARGET/).
#   FUZZ_TIME=600 make fuzz            longer runs
#   FUZZ_TARGETS="track" make fuzz     some targets only
# cargo-fuzz needs a nightly rustc (sanitizers, -Z flags): the machine's nightly toolchain,
# else one installed with rustup, else (no network) stable with RUSTC_BOOTSTRAP=1, which
# lets stable rustc take nightly flags.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-decode track read_capture}

command -v cargo-fuzz >/dev/null || "$CARGO" install cargo-fuzz --locked

toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
elif rustup toolchain install nightly --profile minimal; then
  toolchain=(+nightly)
else
  echo "fuzz: no nightly toolchain and none could be installed: stable with RUSTC_BOOTSTRAP=1"
  export RUSTC_BOOTSTRAP=1
fi

# Seeds made afresh from the captures (the corpora are git-ignored); what the fuzzer found
# in earlier runs stays beside them.
"$CARGO" run --quiet --example fuzz_seeds -- fuzz/corpus fixtures ../shared/corpus

crashed=()
for t in $FUZZ_TARGETS; do
  echo "== fuzz $t for ${FUZZ_TIME}s"
  # -timeout: an input taking 10 s is a hang; -rss_limit_mb: one using 2 GiB a leak.
  if ! "$CARGO" "${toolchain[@]}" fuzz run "$t" "fuzz/corpus/$t" -- \
      -max_total_time="$FUZZ_TIME" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1; then
    crashed+=("$t")
  fi
done
if [ ${#crashed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${crashed[*]} (inputs in fuzz/artifacts/); each becomes a test in tests/regressions.rs"
  exit 1
fi
echo "fuzz: no crash in $FUZZ_TARGETS (${FUZZ_TIME}s each)"
