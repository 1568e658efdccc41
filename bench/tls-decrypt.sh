#!/usr/bin/env bash
# bench/tls-decrypt.sh — the cost of TLS decryption: CPU seconds per
# decrypted MB for netscope and tshark on the same capture.
#
#   bench/tls-decrypt.sh [-m MB] [-r RUNS] [-b NETSCOPE]
#
#   -m MB        size of the file downloaded (default 50)
#   -r RUNS      timed runs per command (default 3); the median is shown
#   -b NETSCOPE  the binary to time (default: ./netscope)
#
# As root: curl --http2 (SSLKEYLOGFILE) downloads an MB-sized file (at
# 40 MB/s, so tcpdump drops nothing) from
# nghttpd over TLS 1.3 (AES-256-GCM) and over TLS 1.2 (ECDHE-ECDSA with
# AES-128-GCM) on the loopback of a private namespace (tests/pcaps/lib.sh),
# captured by tcpdump into bench/out/.  Then, on each capture, user+system
# CPU of `netscope read -q --calls --tls-keylog KEYS` (every record
# decrypted, HTTP/2 dissected) and of `tshark -q -o tls.keylog_file:KEYS
# -z http2,tree` (the same work: tshark decrypts and dissects HTTP/2 for
# the statistic), and of both without keys (the baseline), divided by the
# MB of application data decrypted.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mb=50
runs=3
netscope=$top/netscope
while getopts "m:r:b:h" opt; do
	case $opt in
	m) mb=$OPTARG ;;
	r) runs=$OPTARG ;;
	b) netscope=$OPTARG ;;
	*)
		sed -n '2,20s/^# \{0,1\}//p' "$0" >&2
		exit 2
		;;
	esac
done
out=$top/bench/out
mkdir -p "$out"
. "$top/tests/pcaps/lib.sh"
. "$PCAPDIR/lib-tls.sh"

root=$WORK/htdocs
mkdir -p "$root"
head -c "$((mb << 20))" /dev/urandom >"$root/big.bin"
ns_new lo
tls_certs
bg_run nghttpd lo nghttpd -d "$root" 8443 "$WORK/ec.key" "$WORK/ec.crt"
wait_listen lo tcp 8443

fetch() { # name, curl TLS options...
	local name=$1
	shift
	rm -f "$out/$name.keys"
	# a large kernel buffer and a capped rate: tcpdump keeps every
	# packet of a loopback download
	capture_start lo lo "$name.pcap" -s 0 -B 262144 tcp port 8443
	in_ns lo env SSLKEYLOGFILE="$out/$name.keys" curl -sS -k --http2 \
		--limit-rate 40M \
		--resolve api.example.com:8443:127.0.0.1 -o /dev/null "$@" \
		https://api.example.com:8443/big.bin
	capture_stop
	mv "$WORK/$name.pcap" "$out/$name.pcap"
}
fetch tls13 --tlsv1.3 --tls13-ciphers TLS_AES_256_GCM_SHA384
fetch tls12 --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256

# median of RUNS timings (user+sys seconds) of a command
cpu() {
	local i t=()
	local TIMEFORMAT='%3U %3S'
	for ((i = 0; i < runs; i++)); do
		t+=("$( { time "$@" >/dev/null 2>&1; } 2>&1 |
			awk '{printf "%.3f", $1 + $2}')")
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

printf '%-6s %-9s %10s %10s %12s\n' capture tool "keys (s)" "none (s)" "s per MB"
for name in tls13 tls12; do
	f=$out/$name.pcap k=$out/$name.keys
	n1=$(cpu "$netscope" read -q --calls "$f" --tls-keylog "$k")
	n0=$(cpu "$netscope" read -q --calls "$f")
	t1=$(cpu tshark -r "$f" -q -o "tls.keylog_file:$k" -z http2,tree)
	t0=$(cpu tshark -r "$f" -q -z http2,tree)
	awk -v n="$name" -v mb="$mb" -v a="$n1" -v b="$n0" -v c="$t1" -v d="$t0" 'BEGIN {
		printf "%-6s %-9s %10.3f %10.3f %12.4f\n", n, "netscope", a, b, (a - b) / mb
		printf "%-6s %-9s %10.3f %10.3f %12.4f\n", n, "tshark", c, d, (c - d) / mb
	}'
done
