# Shared by bench/run.sh, bench/ui.sh and bench/live.sh (sourced, not run).

# "Measured DATE on KERNEL, CPU, N CPUs, MEM; commit C." for a results block.
measured_line() {
  local commit cpu mem
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  git diff --quiet HEAD 2>/dev/null || commit="$commit (plus uncommitted changes)"
  cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
  mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -srm), $cpu, $(nproc) CPUs, $mem; commit $commit."
}

# write_block FILE NAME BLOCK NEW_FILE_TEXT: replaces the lines between the "BEGIN NAME" and
# "END NAME" markers of FILE with BLOCK (which carries the markers), keeping the notes around
# it; without the markers, appends NEW_FILE_TEXT (printf format, %s = BLOCK), creating FILE
# with a title if needed.
write_block() {
  local file=$1 name=$2 block=$3 append=$4
  if [ -f "$file" ] && grep -q "BEGIN $name" "$file"; then
    awk -v block="$block" -v begin="BEGIN $name" -v end="END $name" '
      index($0, begin) { print block; skip = 1; next }
      index($0, end) { skip = 0; next }
      !skip' "$file" >"$file.tmp" && mv "$file.tmp" "$file"
  else
    [ -f "$file" ] || printf '# Benchmark results\n' >"$file"
    # shellcheck disable=SC2059
    printf "$append" "$block" >>"$file"
  fi
}
