#!/usr/bin/env bash
# Regenerates tests/tshark/completeness.tsv: Wireshark's tcp.completeness of every TCP
# stream of the listed captures, as tshark computes it (two passes, so every frame shows the
# stream's final value; the last frame's is taken). Run by hand, not by `make test` (tshark
# is not one of its dependencies); the output is committed and tests/completeness.rs reads
# it. Usage: tests/tshark/completeness.sh > tests/tshark/completeness.tsv
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${SYNACK_CORPUS:-../shared/corpus}
echo "# tcp.completeness per tcp.stream, by $(tshark --version 2>/dev/null | head -1 | sed "s/\.$//")"
echo "# capture	first_src	first_dst	first_epoch	completeness"
list() {
  for f in fixtures/*.pcap fixtures/*.pcapng; do echo "fixtures $f"; done
  awk -F'\t' 'NR > 1 && $6 > 0 { print $1 }' "$corpus/MANIFEST.tsv" | while read -r f; do
    echo "corpus $corpus/$f"
  done
}
list | while read -r where path; do
  name=$(basename "$path")
  # A capture cut short still lists the streams read before the cut.
  { tshark -2 -n -r "$path" -Y tcp -T fields -E separator='|' -E occurrence=l \
    -e tcp.stream -e frame.time_epoch -e frame.protocols -e ip.src -e ipv6.src -e tcp.srcport \
    -e ip.dst -e ipv6.dst -e tcp.dstport -e tcp.completeness </dev/null 2>/dev/null || true; } |
  awk -F'|' -v name="$where/$name" '
    # The TCP header'"'"'s own IP layer is the last ip or ipv6 before tcp in frame.protocols.
    function ep(v4, v6, p) { return inner6 ? "[" v6 "]:" p : v4 ":" p }
    {
      s = $1
      p = $3; sub(/:tcp.*/, "", p); k = split(p, layer, ":"); inner6 = 0
      for (i = k; i > 0; i--) if (layer[i] == "ip" || layer[i] ~ /^ipv6/) { inner6 = layer[i] != "ip"; break }
      if (!(s in first)) { order[n++] = s; first[s] = ep($4, $5, $6) "\t" ep($7, $8, $9) "\t" $2 }
      last[s] = $10
    }
    END { for (i = 0; i < n; i++) print name "\t" first[order[i]] "\t" last[order[i]] }'
done
