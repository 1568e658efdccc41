#!/bin/bash
# make-all.sh — regenerate every capture in this directory (run as root).
# Each make-<name>.sh records <name>.pcap (or .pcapng) from real traffic in
# private network namespaces and checks it still matches <name>.truth; this
# runs them one after another and fails if any failed.  Needs: iproute2,
# tcpdump, dumpcap, editcap, tshark, curl, openssl, iputils-ping, socat,
# /usr/bin/python3, python3-grpcio, python3-grpc-tools, python3-h2, nghttp2-client,
# nghttp2-server, nghttp2-proxy, dnsmasq-base.  The TCP connection-tracking captures (make-tcp-*.sh
# and make-udp-flows.sh through tcp-relay.py, see lib-tcp.sh) are part of
# "all"; make-tcp-midstream.sh cuts the installed tcp-http-keepalive.pcap,
# so that one is always made first (it also comes first in name order).
#   ./make-all.sh              all captures
#   ./make-all.sh NAME...      only these (e.g. tcp-ipv4-http vlan-8021q;
#                              tcp-loss-receiver and tcp-loss-sender both
#                              come from make-tcp-loss.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [[ $# -gt 0 ]]; then
	scripts=()
	for n in "$@"; do
		n=${n#make-}
		n=${n%.sh}
		n=${n%.pcap}
		# one script makes both views of the loss run
		case $n in tcp-loss-receiver | tcp-loss-sender) n=tcp-loss ;; esac
		scripts+=("make-$n.sh")
	done
else
	scripts=()
	for s in make-*.sh; do
		[[ $s == make-all.sh ]] || scripts+=("$s")
	done
fi
# tcp-midstream is cut from tcp-http-keepalive, h2c-midstream and h2c-gap
# from h2c-nghttp: regenerate the source first when both are asked for.
first_of() { # CUT SOURCE
	local i j
	for ((i = 0; i < ${#scripts[@]}; i++)); do
		[[ ${scripts[i]} == "$1" ]] || continue
		for ((j = i + 1; j < ${#scripts[@]}; j++)); do
			if [[ ${scripts[j]} == "$2" ]]; then
				scripts[j]=$1
				scripts[i]=$2
				break
			fi
		done
	done
}
first_of make-tcp-midstream.sh make-tcp-http-keepalive.sh
first_of make-h2c-midstream.sh make-h2c-nghttp.sh
first_of make-h2c-gap.sh make-h2c-nghttp.sh

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
