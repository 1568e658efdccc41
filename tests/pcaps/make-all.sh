#!/bin/bash
# make-all.sh — regenerate every capture in this directory (run as root).
# Each make-<name>.sh records <name>.pcap (or .pcapng) from real traffic in
# private network namespaces and checks it still matches <name>.truth; this
# runs them one after another and fails if any failed.  Needs: iproute2,
# tcpdump, dumpcap, curl, iputils-ping, socat, /usr/bin/python3.
#   ./make-all.sh              all captures
#   ./make-all.sh NAME...      only these (e.g. tcp-ipv4-http vlan-8021q)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [[ $# -gt 0 ]]; then
	scripts=()
	for n in "$@"; do
		n=${n#make-}
		n=${n%.sh}
		scripts+=("make-$n.sh")
	done
else
	scripts=()
	for s in make-*.sh; do
		[[ $s == make-all.sh ]] || scripts+=("$s")
	done
fi

failed=()
for s in "${scripts[@]}"; do
	echo "== $s"
	if ! bash "./$s"; then
		failed+=("$s")
	fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
	echo "FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "all ${#scripts[@]} captures regenerated"
