# bench/lib.sh — what the benchmark scripts share, sourced by them:
#   die MSG...            "bench/SCRIPT: MSG" on stderr, exit 1
#   bench_netscope [BIN]  the binary to measure: BIN, or ./netscope made
#                         with make when out of date; sets $netscope
#   bench_capture FILE N  make-capture.py's capture of N packets in FILE
#                         when missing, then read once (a warm page cache
#                         for every tool)
# and TZ=UTC unless set: without TZ, glibc's localtime() stats
# /etc/localtime on every call, and tcpdump calls it once a packet (a
# cost of the environment, not of the tool).
bench_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export TZ=${TZ:-UTC}

die() {
	echo "bench/$(basename "$0"): $*" >&2
	exit 1
}

bench_netscope() {
	netscope=${1:-}
	if [ -z "$netscope" ]; then
		[ -f "$bench_top/Makefile" ] ||
			die "$bench_top is not configured: run ./configure first or pass -b"
		make -C "$bench_top" -s netscope >&2 || die "cannot build netscope"
		netscope=$bench_top/netscope
	fi
	[ -x "$netscope" ] || die "$netscope: not an executable"
}

bench_capture() {
	if [ ! -f "$1" ]; then
		echo "bench/$(basename "$0"): generating $1 ($2 packets)" >&2
		mkdir -p "$(dirname "$1")"
		python3 "$bench_top/bench/make-capture.py" -n "$2" -o "$1" >&2
	fi
	cat "$1" >/dev/null
}
