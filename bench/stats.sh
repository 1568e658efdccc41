#!/bin/bash
# bench/stats.sh [-n PACKETS] [-r RUNS] — what the statistics cost: CPU
# seconds (user + system, median of RUNS) of `netscope read -q` with
# --conversations alone, with the per-call statistics (-z grpc,srt,
# http,srt, dns,srt, conn,timing, sse,stat, with --conversations and
# without), with every -z table (io,stat, endpoints, expert too), and
# tshark's nearest equivalents on the same file, each as a ratio to
# --conversations alone.  The capture is bench/make-capture.py's
# (bench/out/capture-PACKETS.pcap, made when missing; default 2,000,000
# packets, about 1.8 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
n=2000000 runs=5
while getopts n:r: o; do
	case $o in
	n) n=$OPTARG ;;
	r) runs=$OPTARG ;;
	*) echo "usage: bench/stats.sh [-n PACKETS] [-r RUNS]" >&2; exit 2 ;;
	esac
done
. bench/lib.sh
bench_netscope
cap=bench/out/capture-$n.pcap
bench_capture "$cap" "$n"

# median CPU seconds of RUNS runs of the command
cpu() {
	local t=()
	for ((i = 0; i < runs; i++)); do
		/usr/bin/time -f '%U %S' -o bench/out/time.$$ "$@" >/dev/null 2>&1
		t+=("$(awk '{printf "%.3f", $1 + $2}' bench/out/time.$$)")
	done
	rm -f bench/out/time.$$
	printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

NS=$netscope
Z=(-z grpc,srt -z http,srt -z dns,srt -z conn,timing -z sse,stat)
ALL=("${Z[@]}" -z io,stat,1 -z endpoints,ip -z endpoints,tcp -z endpoints,udp
	-z expert)
base=$(cpu $NS read -q --conversations "$cap")
printf '%-58s %8s %7s\n' "command ($n packets, CPU s, median of $runs)" "CPU s" "ratio"
row() {
	printf '%-58s %8s %7s\n' "$1" "$2" "$(awk -v a="$2" -v b="$base" 'BEGIN {printf "%.3f", a / b}')"
}
row "netscope read -q --conversations" "$base"
row "netscope read -q ${Z[*]}" "$(cpu $NS read -q "${Z[@]}" "$cap")"
row "netscope read -q --conversations ${Z[*]}" \
	"$(cpu $NS read -q --conversations "${Z[@]}" "$cap")"
row "netscope read -q --conversations + every -z table" \
	"$(cpu $NS read -q --conversations "${ALL[@]}" "$cap")"
# --metrics: the model fed by the same events, rendered 4 times a second
# (nobody scrapes: a scrape costs its own thread a copy of the page)
mport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
row "netscope read -q --conversations --metrics ADDR:PORT" \
	"$(cpu $NS read -q --conversations --metrics "127.0.0.1:$mport" "$cap")"
if command -v tshark >/dev/null; then
	truns=$runs
	runs=1
	row "tshark -q -z conv,tcp (1 run)" "$(cpu tshark -q -r "$cap" -z conv,tcp)"
	row "tshark -q -z http,tree -z dns,tree (1 run)" \
		"$(cpu tshark -q -r "$cap" -z http,tree -z dns,tree)"
	runs=$truns
fi
