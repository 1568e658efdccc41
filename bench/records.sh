#!/bin/bash
# bench/records.sh [-n PACKETS] [-r RUNS] — what transaction records and
# Prometheus metrics cost (issue 19: together under 10% more CPU than
# --conversations -q): CPU seconds (user + system, median of RUNS) and
# peak RSS of `netscope read -q` with --conversations, with --records FILE,
# with --metrics (scraped once a second while it runs) and with both, as
# ratios to --conversations alone, and tshark's -z conv,tcp (one run) for
# scale.  The capture is bench/make-capture.py's
# (bench/out/capture-PACKETS.pcap, made when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
n=2000000 runs=3
while getopts n:r: o; do
	case $o in
	n) n=$OPTARG ;;
	r) runs=$OPTARG ;;
	*) echo "usage: bench/records.sh [-n PACKETS] [-r RUNS]" >&2; exit 2 ;;
	esac
done
. bench/lib.sh
bench_netscope
cap=bench/out/capture-$n.pcap
bench_capture "$cap" "$n"
rec=bench/out/records.$$.json
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
scraper=
cleanup() {
	[ -n "$scraper" ] && kill "$scraper" 2>/dev/null
	rm -f "$rec" bench/out/time.$$
}
trap cleanup EXIT
# a Prometheus-like scraper: /metrics once a second while a run serves it
if command -v curl >/dev/null; then
	while :; do
		curl -s -o /dev/null "http://127.0.0.1:$port/metrics" || true
		sleep 1
	done &
	scraper=$!
fi

# "median-CPU-seconds peak-RSS-MiB" of RUNS runs of the command
cpu() {
	local t=() m=()
	for ((i = 0; i < runs; i++)); do
		/usr/bin/time -f '%U %S %M' -o bench/out/time.$$ "$@" >/dev/null 2>&1
		t+=("$(awk '{printf "%.3f", $1 + $2}' bench/out/time.$$)")
		m+=("$(awk '{printf "%.0f", $3 / 1024}' bench/out/time.$$)")
	done
	echo "$(printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')" \
		"$(printf '%s\n' "${m[@]}" | sort -n | tail -1)"
}

NS=$netscope
metrics=()
$NS read --help | grep -q -- '--metrics' && metrics=(--metrics "127.0.0.1:$port")
set -- $(cpu $NS read -q --conversations "$cap")
base=$1
printf '%-52s %8s %7s %9s\n' "command ($n packets, median of $runs)" "CPU s" "ratio" "peak MiB"
row() {
	printf '%-52s %8s %7s %9s\n' "$1" "$2" \
		"$(awk -v a="$2" -v b="$base" 'BEGIN {printf "%.3f", a / b}')" "$3"
}
row "netscope read -q --conversations" "$base" "$2"
row "netscope read -q --records FILE" $(cpu $NS read -q --records "$rec" "$cap")
echo "  ($(wc -l <"$rec") records, $(($(stat -c %s "$rec") / 1048576)) MiB)"
if [ ${#metrics[@]} -gt 0 ]; then
	row "netscope read -q --metrics ADDR" $(cpu $NS read -q "${metrics[@]}" "$cap")
	row "netscope read -q --records FILE --metrics ADDR" \
		$(cpu $NS read -q --records "$rec" "${metrics[@]}" "$cap")
else
	echo "  (this netscope has no --metrics)"
fi
if command -v tshark >/dev/null; then
	truns=$runs
	runs=1
	row "tshark -q -z conv,tcp (1 run)" $(cpu tshark -q -r "$cap" -z conv,tcp)
	runs=$truns
fi
