#!/usr/bin/env bash
# `make bench-ui`: the TUI's own frame timings on large captures. For each size, synack's TUI
# runs in a detached tmux session (160x48) on the capture with `--speed max` for DURATION
# seconds, then gets `q`; it writes its frame statistics on exit (SYNACK_FRAME_STATS, see
# src/ui/stats.rs): time from process start to the first frame, frames per second while the
# replay moves, frame draw time percentiles, packets the capture thread read. Prints a table
# and writes it to bench/RESULTS.md between the "ui table" markers (a `## UI` section is added
# if missing; the rest of the file is kept).
#
# The captures are the ones `make bench` generates (bench/data/bulk-SIZE-sSEED.pcap); missing
# ones are generated here. Never part of `make test`: benchmarks are not timed tests.
#
# Environment:
#   SIZES="1M 10M"   capture sizes in packets (K/M suffixes); connections are a tenth
#   RUNS=3           runs per size (the median of each figure is reported)
#   DURATION=10      seconds each run plays before `q`
#   SEED=1           generator seed
#   RESULTS=bench/RESULTS.md   where the table goes (RESULTS=/dev/null: print only)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SIZES=${SIZES:-"1M 10M"}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
SEED=${SEED:-1}
CARGO=${CARGO:-cargo}
DATA=bench/data
RESULTS=${RESULTS:-bench/RESULTS.md}
BIN=${CARGO_TARGET_DIR:-target}/release
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

command -v tmux >/dev/null || {
  echo "bench-ui: installing tmux"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null
}

$CARGO build --release --quiet --bin synack --example gen_bulk
mkdir -p "$DATA"

count() { # 1M -> 1000000
  local s=$1
  case $s in
    *M) echo $((${s%M} * 1000000)) ;;
    *K | *k) echo $((${s%[Kk]} * 1000)) ;;
    *) echo "$s" ;;
  esac
}

# Median of the numbers on stdin ("-" when there are none).
median() { { grep -E '^[0-9.]+$' || true; } | sort -g | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# A tmux server of our own (its own socket), so that no other session is touched.
SOCK="synack-bench-ui-$$"
WORK=$(mktemp -d)
cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# run_once FILE STATS: plays FILE at max speed in tmux for DURATION s, then quits.
run_once() {
  local f=$1 stats=$2 i
  rm -f "$stats"
  tmux -L "$SOCK" -f /dev/null new-session -d -s ui -x 160 -y 48 \
    "env SYNACK_FRAME_STATS=$stats TERM=xterm-256color $BIN/synack $f --speed max 2>$WORK/stderr"
  sleep "$DURATION"
  tmux -L "$SOCK" send-keys -t ui q
  # The stats are written once the terminal is restored.
  for ((i = 0; i < 100; i++)); do
    [ -s "$stats" ] && break
    sleep 0.1
  done
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  if [ ! -s "$stats" ]; then
    echo "bench-ui: no statistics from synack on $f" >&2
    cat "$WORK/stderr" >&2 || true
    return 1
  fi
}

# Value of KEY in a stats file.
get() { awk -v k="$2" '$1 == k {print $2}' "$1"; }

KEYS="first_frame_ms first_data_ms fps playing_fps draw_ms_p50 draw_ms_p99 draw_ms_max gap_ms_p50 gap_ms_p99 gap_ms_max capture_pps connections ended_s"
ROWS=$WORK/rows
: >"$ROWS"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
GENINFO=""
for SIZE in $SIZES; do
  P=$(count "$SIZE")
  F="$DATA/bulk-$SIZE-s$SEED.pcap"
  if [ ! -s "$F" ]; then
    echo "bench-ui: generating $F ($P packets, $((P / 10)) connections)" >&2
    "$BIN/examples/gen_bulk" "$F.tmp" "$P" $((P / 10)) "$SEED" 2>"$F.log"
    mv "$F.tmp" "$F"
  fi
  GENINFO="$GENINFO
- \`$F\`: $(sed 's/^gen_bulk: //' "$F.log" 2>/dev/null || echo "(no generator log)")"
  # Warm the page cache: the first frame is measured without the disk.
  cat "$F" >/dev/null
  for ((r = 1; r <= RUNS; r++)); do
    S="$WORK/stats-$SIZE-$r"
    run_once "$F" "$S" || continue
    printf 'bench-ui: %-4s run %d: first frame %s ms (with data %s ms), %s fps playing, draw p50 %s / p99 %s / max %s ms, gap p99 %s ms, capture %s packets/s, load %s\n' \
      "$SIZE" "$r" "$(get "$S" first_frame_ms)" "$(get "$S" first_data_ms)" "$(get "$S" playing_fps)" "$(get "$S" draw_ms_p50)" \
      "$(get "$S" draw_ms_p99)" "$(get "$S" draw_ms_max)" "$(get "$S" gap_ms_p99)" \
      "$(get "$S" capture_pps)" "$(cut -d' ' -f1 /proc/loadavg)" >&2
    for k in $KEYS; do echo "$SIZE $k $(get "$S" "$k")" >>"$ROWS"; done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

m() { awk -v s="$1" -v k="$2" '$1 == s && $2 == k {print $3}' "$ROWS" | median; }
# The same, as a whole number.
mi() { m "$1" "$2" | awk '$1 == "-" {print; next} {printf "%.0f\n", $1}'; }
TABLE="| packets | first frame ms | first frame with data ms | fps (playing) | frame draw ms p50 / p99 / max | gap between frames ms p50 / p99 / max | capture packets/s | connections at exit | end reached s |
|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for SIZE in $SIZES; do
  TABLE="$TABLE
| $SIZE | $(m "$SIZE" first_frame_ms) | $(m "$SIZE" first_data_ms) | $(m "$SIZE" playing_fps) | $(m "$SIZE" draw_ms_p50) / $(m "$SIZE" draw_ms_p99) / $(m "$SIZE" draw_ms_max) | $(m "$SIZE" gap_ms_p50) / $(m "$SIZE" gap_ms_p99) / $(m "$SIZE" gap_ms_max) | $(mi "$SIZE" capture_pps) | $(mi "$SIZE" connections) | $(m "$SIZE" ended_s) |"
done

BLOCK="<!-- BEGIN ui table (written by bench/ui.sh) -->
$(measured_line)
Load average before: $LOAD_BEFORE, after: $LOAD_AFTER. Medians of $RUNS runs of ${DURATION} s each:
\`synack FILE --speed max\` in a detached tmux session of 160x48, then \`q\`; the capture in the
page cache. First frame: from synack's \`main\` to the first frame on the terminal (with data:
the first one showing a segment of the capture). fps: frames drawn while the replay moved, per
second. Frame draw: sync, draw and flush of one frame. Gap: time between two frames while the
replay moved. Capture packets/s: frames read by the capture thread per second, from the start
to the end of the capture (or to \`q\`).
$GENINFO

$TABLE
<!-- END ui table -->"

echo
echo "$TABLE"
[ "$RESULTS" = /dev/null ] && exit 0
write_block "$RESULTS" "ui table" "$BLOCK" \
  '\n## UI\n\n`make bench-ui` (bench/ui.sh) writes the table between the markers below.\n\n%s\n'
echo "bench-ui: wrote $RESULTS"
