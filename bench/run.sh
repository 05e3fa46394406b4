#!/usr/bin/env bash
# `make bench`: generate large captures once (cached in bench/data/), then time, side by side,
# the libpcap floor, tcpdump, tshark and synack's batch modes on them; print a table and write
# it to bench/RESULTS.md (between the BEGIN/END markers, keeping the notes around it).
#
# Environment:
#   SIZES="1M 10M"   capture sizes in packets (K/M suffixes); connections are a tenth
#   RUNS=3           runs per tool (the median is reported)
#   EXT_RUNS=$RUNS   runs of tcpdump and tshark (they take minutes on 10M packets)
#   EXT_SIZES=$SIZES sizes on which tcpdump and tshark run (minutes each on 10M packets)
#   TOOLS="..."      subset of: floor naive tcpdump tshark diagnose json json-noev text
#   SEED=1           generator seed
#   RESULTS=bench/RESULTS.md   where the table goes
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SIZES=${SIZES:-"1M 10M"}
RUNS=${RUNS:-3}
EXT_RUNS=${EXT_RUNS:-$RUNS}
EXT_SIZES=${EXT_SIZES:-$SIZES}
SEED=${SEED:-1}
TOOLS=${TOOLS:-"floor naive tcpdump tshark diagnose json-noev json text"}
CARGO=${CARGO:-cargo}
DATA=bench/data
RESULTS=${RESULTS:-bench/RESULTS.md}
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

# ---- tools: tcpdump, tshark, GNU time (peak RSS), perf (profiles) -------------------------
need=""
command -v tcpdump >/dev/null || need="$need tcpdump"
command -v tshark >/dev/null || need="$need tshark"
[ -x /usr/bin/time ] || need="$need time"
command -v perf >/dev/null || need="$need linux-perf"
if [ -n "$need" ]; then
  echo "bench: installing$need"
  $SUDO apt-get update -qq
  # tshark asks whether non-root users may capture: answer no, non-interactively.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null \
    || echo "bench: could not install some of:$need (their rows will be missing)"
fi

$CARGO build --release --quiet --bin synack --example pcap_floor --example naive_reader --example gen_bulk --example memory
BIN=target/release
mkdir -p "$DATA"

count() { # 1M -> 1000000
  local s=$1
  case $s in
    *M) echo $(( ${s%M} * 1000000 )) ;;
    *K|*k) echo $(( ${s%[Kk]} * 1000 )) ;;
    *) echo "$s" ;;
  esac
}

# Median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# run NAME RUNS CMD...: times CMD (stdout to /dev/null) RUNS times; appends
# "size name wall cpu rss_kb" to $ROWS with the median of each.
run() {
  local name=$1 n=$2; shift 2
  local walls=() cpus=() rsss=() i out
  for ((i = 0; i < n; i++)); do
    # %e wall, %U+%S CPU, %M peak RSS in KiB. Exit status 1 (--diagnose found problems) is
    # fine; anything else is reported.
    /usr/bin/time -o "$TIMES" -f "TIME %e %U %S %M" "$@" >/dev/null 2>/dev/null || true
    out=$(grep '^TIME' "$TIMES" || true)
    if [ -z "$out" ]; then echo "bench: $name failed"; return; fi
    read -r _ e u s m <<<"$out"
    walls+=("$e"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')"); rsss+=("$m")
  done
  local w c r
  w=$(printf '%s\n' "${walls[@]}" | median)
  c=$(printf '%s\n' "${cpus[@]}" | median)
  r=$(printf '%s\n' "${rsss[@]}" | median)
  printf '%-10s %-10s wall %7.2f s  cpu %7.2f s  rss %8.1f MiB  (%d runs)\n' "$SIZE" "$name" "$w" "$c" "$(awk -v r="$r" 'BEGIN{print r/1024}')" "$n" >&2
  echo "$SIZE $name $w $c $r" >>"$ROWS"
}

ROWS=$(mktemp)
TIMES=$(mktemp)
trap 'rm -f "$ROWS" "$TIMES"' EXIT
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
GENINFO=""
MEMINFO=""
for SIZE in $SIZES; do
  P=$(count "$SIZE")
  F="$DATA/bulk-$SIZE-s$SEED.pcap"
  # Regenerate when the generator changed since the file was written.
  if [ ! -s "$F" ] || [ src/gen/bulk.rs -nt "$F" ]; then
    echo "bench: generating $F ($P packets, $((P / 10)) connections)" >&2
    $BIN/examples/gen_bulk "$F.tmp" "$P" $((P / 10)) "$SEED" 2>"$F.log"
    mv "$F.tmp" "$F"
  fi
  GENINFO="$GENINFO
- \`$F\`: $(sed 's/^gen_bulk: //' "$F.log" 2>/dev/null || echo "(no generator log)")"
  # Warm the page cache so the first tool does not pay for the disk.
  cat "$F" >/dev/null
  # Memory per connection held, event logs aside (a counting allocator; not a timing).
  if m=$($BIN/examples/memory "$F" 2>&1); then
    echo "bench: $m" >&2
    MEMINFO="$MEMINFO
- $SIZE: $(sed "s|^$F: ||" <<<"$m")"
  else
    echo "bench: memory measurement failed on $F: $m" >&2
  fi
  for t in $TOOLS; do
    case $t in
      floor) run floor "$RUNS" $BIN/examples/pcap_floor "$F" ;;
      naive) run naive "$RUNS" $BIN/examples/naive_reader "$F" ;;
      tcpdump | tshark)
        [[ " $EXT_SIZES " == *" $SIZE "* ]] && command -v "$t" >/dev/null || continue
        if [ "$t" = tcpdump ]; then
          run tcpdump "$EXT_RUNS" tcpdump -nn -r "$F"
        else
          run tshark "$EXT_RUNS" tshark -n -r "$F" -q -z conv,tcp
        fi ;;
      diagnose) run diagnose "$RUNS" $BIN/synack "$F" --diagnose --no-progress ;;
      json-noev) run json-noev "$RUNS" $BIN/synack "$F" --json --no-events --no-progress ;;
      json) run json "$RUNS" $BIN/synack "$F" --json --no-progress ;;
      text) run text "$RUNS" $BIN/synack "$F" --text --no-progress ;;
      *) echo "bench: unknown tool $t" >&2 ;;
    esac
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the table -------------------------------------------------------------------------
TABLE=$(awk -v sizes="$SIZES" '
  { wall[$1,$2] = $3; cpu[$1,$2] = $4; rss[$1,$2] = $5; if (!seen[$2]++) names[++n] = $2 }
  function r(a, b) { return (a == "" || b == "" || b == 0) ? "-" : sprintf("%.2f", a / b) }
  function inv(a, b) { return (a == "" || b == "" || a == 0) ? "-" : sprintf("%.1f", b / a) }
  BEGIN {
    label["floor"] = "libpcap read loop (floor)"
    label["naive"] = "pcap + etherparse + HashMap"
    label["tcpdump"] = "`tcpdump -nn -r`"
    label["tshark"] = "`tshark -n -q -z conv,tcp`"
    label["diagnose"] = "synack `--diagnose`"
    label["json-noev"] = "synack `--json --no-events`"
    label["json"] = "synack `--json`"
    label["text"] = "synack `--text`"
  }
  END {
    ns = split(sizes, sz, " ")
    print "| packets | tool | wall s | CPU s | peak RSS MiB | wall / floor | tcpdump / synack | tshark / synack |"
    print "|---|---|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= ns; i++) {
      s = sz[i]
      for (j = 1; j <= n; j++) {
        t = names[j]
        if (!((s, t) in wall)) continue
        vs_td = vs_ts = ""
        if (t ~ /^(diagnose|json|json-noev|text)$/) {
          vs_td = inv(wall[s, t], wall[s, "tcpdump"]); vs_ts = inv(wall[s, t], wall[s, "tshark"])
          if (vs_td != "-") vs_td = vs_td "x"
          if (vs_ts != "-") vs_ts = vs_ts "x"
        }
        printf "| %s | %s | %.2f | %.2f | %.1f | %s | %s | %s |\n", s, (t in label ? label[t] : t), wall[s, t], cpu[s, t], rss[s, t] / 1024, r(wall[s, t], wall[s, "floor"]), vs_td, vs_ts
      }
    }
    # Growth from the first size to the last, per tool.
    if (ns > 1) {
      a = sz[1]; b = sz[ns]
      print ""
      printf "Growth %s -> %s packets (wall ratio, peak RSS ratio):", a, b
      for (j = 1; j <= n; j++) {
        t = names[j]
        if (((a, t) in wall) && ((b, t) in wall))
          printf " %s %sx / %sx;", t, r(wall[b, t], wall[a, t]), r(rss[b, t], rss[a, t])
      }
      print ""
    }
  }' "$ROWS")

BLOCK="<!-- BEGIN bench table (written by bench/run.sh) -->
$(measured_line)
Load average before: $LOAD_BEFORE, after: $LOAD_AFTER. Medians of $RUNS runs ($EXT_RUNS for tcpdump and tshark).
Output to /dev/null; the capture in the page cache.
$GENINFO

$TABLE

Memory per connection (\`examples/memory.rs\`: the tracker alone as a batch run drives it, its
allocations counted; the moment it held the most connections):
$MEMINFO
<!-- END bench table -->"

echo
echo "$TABLE"
write_block "$RESULTS" "bench table" "$BLOCK" '\n%s\n'
echo "bench: wrote $RESULTS"
