#!/usr/bin/env bash
# Peak memory on hostile captures (issue 14), run by `make bench` (and `make bench-hostile`):
# 1M SYNs from spoofed sources, and 200 connections x 10,000 segments each (both from
# examples/gen_hostile.rs), with default options, in every batch mode (GNU time's peak RSS)
# and in the TUI (VmHWM of the running TUI in tmux, read once it has played the whole capture
# at --speed max). The target is 256 MiB peak in each. Writes a table to bench/RESULTS.md
# between the "hostile table" markers. Never part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
CARGO=${CARGO:-cargo}
BIN=${CARGO_TARGET_DIR:-target}/release
RESULTS=${RESULTS:-bench/RESULTS.md}
DATA=bench/data
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench-hostile: GNU time is needed (apt-get install time)"; exit 1; }
$CARGO build --release --quiet --bin synack --example gen_hostile
mkdir -p "$DATA"
[ -s "$DATA/hostile-flood.pcap" ] || "$BIN/examples/gen_hostile" flood "$DATA/hostile-flood.pcap"
[ -s "$DATA/hostile-long.pcap" ] || "$BIN/examples/gen_hostile" long "$DATA/hostile-long.pcap"

SOCK="synack-bench-hostile-$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true' EXIT

# tui_peak FILE: KiB; plays FILE at max speed until the status bar says END (at most 120 s).
tui_peak() {
  local f=$1 pid i peak=-
  tmux -L "$SOCK" -f /dev/null new-session -d -s h -x 160 -y 48 \
    "env TERM=xterm-256color $BIN/synack $f --speed max"
  for ((i = 0; i < 1200; i++)); do
    pid=$(pgrep -f "^$BIN/synack $f --speed max" | head -1 || true)
    [ -n "$pid" ] && peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "$peak")
    tmux -L "$SOCK" capture-pane -p -t h 2>/dev/null | grep -q "END" && break
    sleep 0.1
  done
  [ -n "$pid" ] && peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "$peak")
  tmux -L "$SOCK" send-keys -t h q
  sleep 0.5
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  echo "$peak"
}

ROWS=""
for what in flood long; do
  f="$DATA/hostile-$what.pcap"
  line="| $what |"
  for mode in --json --text --diagnose --zeek; do
    # --diagnose exits 1 when it finds problems (it does: a flood).
    kib=$({ "$TIME" -f '%M' "$BIN/synack" "$f" $mode --no-progress 2>&1 >/dev/null || true; } | tail -1)
    echo "bench-hostile: $what $mode: $((kib / 1024)) MiB" >&2
    line="$line $((kib / 1024)) |"
  done
  kib=$(tui_peak "$f")
  echo "bench-hostile: $what TUI: $((kib / 1024)) MiB" >&2
  ROWS="$ROWS
$line $((kib / 1024)) |"
done
BLOCK="<!-- BEGIN hostile table -->
Peak RSS in MiB with default options (\`--max-memory 128M\`); target 256 MiB in each.
flood: 1,000,000 SYNs to one server, each from its own source; long: 200 connections of
10,000 data segments each, open at once. $(measured_line)

| capture | --json | --text | --diagnose | --zeek | TUI |
|---|---:|---:|---:|---:|---:|$ROWS
<!-- END hostile table -->"
echo "$BLOCK"
write_block "$RESULTS" "hostile table" "$BLOCK" '\n## Memory on hostile captures\n\n%s\n'
echo "bench-hostile: wrote $RESULTS"
