#!/usr/bin/env bash
# Regenerates tests/tshark/udp.tsv: the UDP conversations tshark finds (`-z conv,udp`) in the
# fixture and the corpus captures that hold UDP, with the frames each way. Run by hand, not
# by `make test` (tshark is not one of its dependencies); the output is committed and
# tests/udp.rs compares synack's `--udp` flows with it.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=../shared/corpus
out=tests/tshark/udp.tsv
{
  echo "# $(tshark --version | head -1)"
  printf 'capture\ta\tb\tframes_a_to_b\tframes_b_to_a\n'
  for f in fixtures/udp-dns.pcap \
    "$corpus"/tcpdump__arcnet-rfc1201-arp-icmp-http.pcap "$corpus"/zeek__ssh__ssh.pcap \
    "$corpus"/zeek__pcapng-multi-interface.pcapng "$corpus"/zeek__nmap-vsn.pcap \
    "$corpus"/gopacket__pcapgo__tests__be__test202.pcapng; do
    name=${f#"$corpus"/}
    # Rows: A <-> B, then frames and bytes B->A ("<-"), A->B ("->"), total, start, duration.
    tshark -r "$f" -q -z conv,udp | awk -v n="$name" '$2 == "<->" {
      printf "%s\t%s\t%s\t%s\t%s\n", n, $1, $3, $7, $4 }'
  done
} >"$out"
