#!/usr/bin/env bash
# Checks a synack .deb (`make deb-check` builds it first): the files a user expects where
# Debian puts them, the package's dependencies, the postinst that gives the binary its
# capture capabilities, and a binary that runs. Exits 1 naming each thing missing.
set -uo pipefail
deb=${1:?usage: tests/deb-check.sh target/debian/synack_VERSION_ARCH.deb}
fail=0
bad() { echo "deb-check: $*" >&2; fail=1; }

contents=$(dpkg-deb -c "$deb") || { echo "deb-check: $deb is not a package" >&2; exit 1; }
for f in ./usr/bin/synack ./usr/share/man/man1/synack.1.gz \
         ./usr/share/bash-completion/completions/synack \
         ./usr/share/zsh/vendor-completions/_synack \
         ./usr/share/fish/vendor_completions.d/synack.fish \
         ./usr/share/doc/synack/README.md ./usr/share/doc/synack/copyright; do
  grep -q " $f\$" <<<"$contents" || bad "missing $f"
done
grep -q '^-rwxr-xr-x .* \./usr/bin/synack$' <<<"$contents" || bad "/usr/bin/synack is not mode 755"

info=$(dpkg-deb -I "$deb")
grep -q '^ Package: synack$' <<<"$info" || bad "package name is not synack"
grep -Eq '^ Depends:.*libpcap0\.8' <<<"$info" || bad "Depends does not name libpcap0.8"
grep -Eq '^ Depends:.*libcap2-bin' <<<"$info" || bad "Depends does not name libcap2-bin (setcap)"
postinst=$(dpkg-deb -I "$deb" postinst) || bad "no postinst"
grep -q 'setcap cap_net_raw,cap_net_admin=eip /usr/bin/synack' <<<"$postinst" ||
  bad "postinst does not setcap cap_net_raw,cap_net_admin=eip /usr/bin/synack"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
"$tmp/usr/bin/synack" --version | grep -q '^libpcap: libpcap version' ||
  bad "the packaged binary does not run (or --version does not name libpcap)"
readelf -S "$tmp/usr/bin/synack" | grep -q '\.debug_' && bad "/usr/bin/synack is not stripped"
zcat "$tmp/usr/share/man/man1/synack.1.gz" | grep -q '^\.TH synack 1' || bad "man page is not roff"
grep -q 'complete -F _synack' "$tmp/usr/share/bash-completion/completions/synack" ||
  bad "bash completion does not register _synack"
grep -q 'Permission is hereby granted' "$tmp/usr/share/doc/synack/copyright" ||
  bad "copyright file does not hold the licence"

[ "$fail" = 0 ] && echo "deb-check: $deb is complete"
exit "$fail"
