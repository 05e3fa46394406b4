#!/usr/bin/env bash
# `make bench-live`: live capture under load. Two network namespaces joined by a veth pair
# (client 10.79.0.1, server 10.79.0.2; the tests use 10.77 and 10.78); the load generator
# (examples/load_gen.rs) opens and closes short TCP connections from the client namespace
# to a server in the other, through the kernel, for DURATION seconds at each rate of a ramp,
# while `synack -i IFACE --json --no-events` captures on the server's end of the veth.
# For each rate: the rate achieved, packets/s, synack's CPU, its drops (kernel, interface,
# its own queue), and its complete handshakes against the connections the generator made.
# A rate is "held" when every drop count is zero and the two counts are equal. Prints a table
# and writes it to bench/RESULTS.md (between the BEGIN/END live markers, keeping the rest).
#
# Needs root (namespaces, capture). Not part of `make test` or `make bench`.
#
# Environment:
#   RATES="1000 2000 5000 10000 20000 0"   connections/s to try, 0 = as fast as possible
#   DURATION=10      seconds of load per rate
#   THREADS=4        generator threads (client side; the server has as many)
#   BYTES=16         bytes the client writes on each connection before closing (0: none)
#   SETTLE=2         seconds between the end of the load and stopping synack
#   SYNACK_ARGS=""   extra synack flags, e.g. "--buffer-size 67108864"
#   NICE_LOAD=0      nice level of the generator and its server: 10 lets synack have the
#                    CPUs first (its own limit rather than the machine's, on a small machine)
#   RESULTS=bench/RESULTS.md   where the table goes ("" or /dev/null: print only)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

RATES=${RATES:-"1000 2000 5000 10000 20000 0"}
DURATION=${DURATION:-10}
THREADS=${THREADS:-4}
BYTES=${BYTES:-16}
SETTLE=${SETTLE:-2}
SYNACK_ARGS=${SYNACK_ARGS:-}
NICE_LOAD=${NICE_LOAD:-0}
RESULTS=${RESULTS-bench/RESULTS.md}
CARGO=${CARGO:-cargo}
PORT=7000
CLIENT_IP=10.79.0.1
SERVER_IP=10.79.0.2
IFACE=sab1 # the server's end of the veth; the client's is sab0

if [ "$(id -u)" != 0 ]; then
  echo "bench-live: needs root (network namespaces, packet capture): sudo make bench-live" >&2
  exit 1
fi
for tool in ip sysctl; do
  command -v $tool >/dev/null || { echo "bench-live: $tool not found (make deps installs it)" >&2; exit 1; }
done

$CARGO build --release --quiet --bin synack --example load_gen
BIN=${CARGO_TARGET_DIR:-target}/release
SYNACK=$(realpath "$BIN/synack")
GEN=$(realpath "$BIN/examples/load_gen")

# ---- namespaces ------------------------------------------------------------------------
# Named after this shell's pid, so two runs never share them; ones left by a run that was
# killed outright (its pid gone) are removed first.
for ns in $(ip netns list | awk '{print $1}' | grep '^sabench-[0-9]*-[cs]$' || true); do
  pid=${ns#sabench-}; pid=${pid%-*}
  kill -0 "$pid" 2>/dev/null || ip netns del "$ns" 2>/dev/null || true
done
NS_C=sabench-$$-c
NS_S=sabench-$$-s
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  ip netns del "$NS_C" 2>/dev/null || true
  ip netns del "$NS_S" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS_C"
ip netns add "$NS_S"
ip -n "$NS_C" link add sab0 type veth peer name $IFACE netns "$NS_S"
ip -n "$NS_C" addr add $CLIENT_IP/24 dev sab0
ip -n "$NS_S" addr add $SERVER_IP/24 dev $IFACE
for x in "$NS_C sab0" "$NS_S $IFACE" "$NS_C lo" "$NS_S lo"; do
  set -- $x
  ip -n "$1" link set "$2" up
done
# The client closes first and so holds TIME_WAIT (see examples/load_gen.rs): all 64k ports,
# and reuse of a port whose TIME_WAIT is over 1 s old, or connect() runs out of ports
# (EADDRNOTAVAIL) at ~470 connections/s.
ip netns exec "$NS_C" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1
# A deep accept queue, so a burst is not answered with SYN cookies or dropped SYNs.
ip netns exec "$NS_S" sysctl -qw net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096

# Per thread of a process: "name run_ns wait_ns", the nanoseconds it has run and waited on
# a run queue for a CPU so far (/proc/PID/task/TID/schedstat).
sched() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(cat "$t/comm" 2>/dev/null)" "$(cut -d' ' -f1-2 "$t/schedstat" 2>/dev/null)"
  done
}
# Seconds all CPUs have been idle (idle + iowait in /proc/stat). Idle time is measured
# exactly; the busy fields are sampled at each tick, and miss work done between ticks (a paced
# load that wakes up on timers): busy time is the wall time of all CPUs less this.
idle_secs() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / {print ($5 + $6) / hz}' /proc/stat; }
NCPU=$(nproc)
now() { date +%s.%N; }
# wait_for_line FILE TEXT PID SECS: until FILE holds TEXT; fails if PID died or time is up.
wait_for_line() {
  local i
  for ((i = 0; i < $4 * 20; i++)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { echo "bench-live: process $3 died: $(cat "$1")" >&2; return 1; }
    sleep 0.05
  done
  echo "bench-live: timed out waiting for '$2': $(cat "$1")" >&2
  return 1
}
# stop PID SECS: SIGINT, then wait up to SECS for it to exit; returns its exit status.
stop() {
  local i
  kill -INT "$1" 2>/dev/null || true
  for ((i = 0; i < $2 * 20; i++)); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$1" 2>/dev/null; then
    echo "bench-live: process $1 did not stop in $2 s; killing it" >&2
    kill -9 "$1" 2>/dev/null || true
  fi
  wait "$1"
}

ROWS=$WORK/rows
: >"$ROWS"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for RATE in $RATES; do
  label=$RATE; [ "$RATE" = 0 ] && label=max
  load=$(cut -d' ' -f1 /proc/loadavg)
  # ip netns exec and nice exec the program in place: $! is the program's own pid.
  ip netns exec "$NS_S" nice -n "$NICE_LOAD" "$GEN" serve --addr $SERVER_IP:$PORT --threads "$THREADS" \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SRV=$!; PIDS+=("$SRV")
  wait_for_line "$WORK/serve.err" "listening on" "$SRV" 10
  # shellcheck disable=SC2086 # SYNACK_ARGS is a list of flags
  ip netns exec "$NS_S" "$SYNACK" -i $IFACE --json --no-events $SYNACK_ARGS \
    >"$WORK/synack.out" 2>"$WORK/synack.err" &
  SYN=$!; PIDS+=("$SYN")
  wait_for_line "$WORK/synack.err" "capturing on" "$SYN" 15
  sleep 0.5 # past the capture thread's first poll
  sched "$SYN" >"$WORK/sched0"; idle0=$(idle_secs); t0=$(now)
  # In the background and waited for: the load generator stops cleanly on SIGINT, and a
  # foreground command that does so would keep bash from acting on a Ctrl-C (the `wait`
  # builtin returns at once instead, so the trap runs).
  ip netns exec "$NS_C" nice -n "$NICE_LOAD" "$GEN" connect --addr $SERVER_IP:$PORT --duration "$DURATION" \
    --rate "$RATE" --threads "$THREADS" --bytes "$BYTES" >"$WORK/gen.out" 2>"$WORK/gen.err" &
  LOAD=$!; PIDS+=("$LOAD")
  wait "$LOAD" || { echo "bench-live: load_gen failed: $(cat "$WORK/gen.err")" >&2; exit 1; }
  idle1=$(idle_secs); t1=$(now)
  sleep "$SETTLE"
  # synack's threads up to the stop: catching up after the load counts too.
  sched "$SYN" >"$WORK/sched1"
  code=0; stop "$SYN" 30 || code=$?
  stop "$SRV" 10 || true
  if [ "$code" != 0 ]; then
    echo "bench-live: synack exited with $code: $(cat "$WORK/synack.err")" >&2
    exit 1
  fi
  tail -n 1 "$WORK/synack.out" | grep -q '"type":"summary"' \
    || { echo "bench-live: no summary from synack: $(tail -c 300 "$WORK/synack.out")" >&2; exit 1; }
  # Values by JSON pointer, "-" where absent (load_gen get reads the file's last line).
  read -r made failed elapsed gcpu < <("$GEN" get "$WORK/gen.out" /completed /failed /elapsed /cpu)
  read -r accepted scpu < <("$GEN" get "$WORK/serve.out" /accepted /cpu)
  read -r kdrop idrop qdrop seen packets conns reuses evicted < <("$GEN" get "$WORK/synack.out" \
    /drops/kernel /drops/interface /drops/queue /handshakes/complete /packets /connections \
    /port_reuses /evicted)
  [ "$evicted" = - ] && evicted=0
  # synack's threads from the start of the load to the stop: CPU used by the capture thread
  # and by the main thread (tracking, output), and time the main thread was runnable but
  # waiting for a CPU; in % of the load's wall time. Then how busy the whole machine was
  # during the load (% of all its CPUs).
  read -r cpu_cap cpu_main wait_main < <(awk -v wall="$(awk -v s="$t0" -v e="$t1" 'BEGIN{print (e - s) * 1e9}')" '
    FNR == NR { r[$1] = $2; w[$1] = $3; next }
    { run[$1] += $2 - r[$1]; wait[$1] += $3 - w[$1] }
    END { printf "%.0f %.0f %.0f\n", 100 * run["synack-capture"] / wall, 100 * run["synack"] / wall, 100 * wait["synack"] / wall }
  ' "$WORK/sched0" "$WORK/sched1")
  busy=$(awk -v a="$idle0" -v b="$idle1" -v s="$t0" -v e="$t1" -v n="$NCPU" \
    'BEGIN { x = 100 * (1 - (b - a) / ((e - s) * n)); printf "%.0f", x < 0 ? 0 : x }')
  # The load's own CPU: the generator's and the server's (started for this rate), in % of the
  # load's wall time.
  loadcpu=$(awk -v g="$gcpu" -v v="$scpu" -v e="$elapsed" 'BEGIN{printf "%.0f", 100 * (g + v) / e}')
  held=no
  [ "$kdrop" = 0 ] && [ "$idrop" = 0 ] && [ "$qdrop" = 0 ] && [ "$seen" = "$made" ] && held=yes
  echo "$label $made $failed $elapsed $packets $cpu_cap $cpu_main $wait_main $busy $kdrop $idrop $qdrop $seen $accepted $conns $evicted $load $held $loadcpu" >>"$ROWS"
  printf 'bench-live: rate %-5s made %7s (%s failed) in %ss, synack: %s packets, CPU %s%% capture + %s%% main (main waited for a CPU %s%%), generator + server %s%%, machine busy %s%% of %s CPUs, drops kernel %s interface %s queue %s, complete handshakes %s (server accepted %s; %s connections, %s on a reused 4-tuple, %s evicted): held %s\n' \
    "$label" "$made" "$failed" "$elapsed" "$packets" "$cpu_cap" "$cpu_main" "$wait_main" "$loadcpu" "$busy" "$NCPU" "$kdrop" "$idrop" "$qdrop" "$seen" \
    "$accepted" "$conns" "$reuses" "$evicted" "$held" >&2
  grep -v '^synack: capturing on' "$WORK/synack.err" | sed 's/^/  /' >&2 || true
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the table -------------------------------------------------------------------------
TABLE=$(awk '
  # Rows: label made failed elapsed packets cpu_capture cpu_main wait_main busy
  #       kernel_drops interface_drops queue_drops seen accepted connections evicted load held
  #       load_cpu
  {
    rate = $4 > 0 ? $2 / $4 : 0; pps = $4 > 0 ? $5 / $4 : 0
    printf "| %s | %.0f | %.0f | %s + %s | %s | %s | %s | %s / %s / %s | %s / %s | %s | %s | %s |\n", \
      ($1 == "max" ? "as fast as possible" : $1), rate, pps, $6, $7, $8, $19, $9, $10, $11, \
      $12, $13, $2, $3, $17, ($18 == "yes" ? "**yes**" : "no")
    if ($18 == "yes" && rate > best) { best = rate; bestpps = pps; bestlabel = $1 }
  }
  BEGIN {
    print "| target conn/s | achieved conn/s | packets/s | synack CPU %: capture + main thread | main thread waiting for a CPU % | generator + server CPU % | machine busy % | drops kernel / interface / queue | complete handshakes seen / made | failed connects | load avg | held |"
    print "|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---|"
  }
  END {
    print ""
    if (best > 0)
      printf "Highest rate held (zero drops, every handshake counted): **%.0f connections/s, %.0f packets/s** (target %s).\n", best, bestpps, (bestlabel == "max" ? "as fast as possible" : bestlabel)
    else
      print "No rate was held (zero drops, every handshake counted)."
  }' "$ROWS")

BLOCK="<!-- BEGIN live table (written by bench/live.sh) -->
$(measured_line)
Load average before: $LOAD_BEFORE, after: $LOAD_AFTER. $DURATION s of load per rate, $THREADS client threads, $BYTES bytes written per connection;
\`synack -i $IFACE --json --no-events${SYNACK_ARGS:+ $SYNACK_ARGS}\` (output to a file), stopped with SIGINT $SETTLE s after the load.
Packets/s and conn/s are over the generator's run. synack's CPU and its main thread's wait for a CPU (from /proc/PID/task/*/schedstat) run from the start of the load to the SIGINT, so catching up after it counts; they are in % of the load's wall time (100 = one CPU). Generator + server: their CPU (getrusage) in % of the load's wall time (100 = one CPU). Machine busy: % of all $NCPU CPUs (from idle time), during the load, whoever used them.

$TABLE
<!-- END live table -->"

echo
echo "$TABLE"
if [ -z "$RESULTS" ] || [ "$RESULTS" = /dev/null ]; then
  exit 0
fi
write_block "$RESULTS" "live table" "$BLOCK" \
  '\n## Live capture under load\n\n`make bench-live` (bench/live.sh, as root) writes the table below.\n\n%s\n'
echo "bench-live: wrote $RESULTS"
