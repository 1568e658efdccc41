#!/bin/bash
# Flood test: N distinct TCP SYNs, none answered (tests/syn-flood.py), read
# by netscope with its default flow cap and with --max-flows 10000.  Checks
# that the end-of-run counters say what was dropped (N flows created, all
# but the cap evicted at the cap, none expired: the SYNs span N µs) and that
# peak RSS (/usr/bin/time -f %M) stays under the bounds stated in README.
#
#     tests/flood.sh [N]          N defaults to 200000 (make check)
#     bench/flood.sh              the same with 1000000 SYNs, figures shown
#
# A sanitizer build uses several times the memory and time by design: it
# runs 50000 SYNs and checks the counters only.
set -u
NS=${NETSCOPE:-./netscope}
SRC=${srcdir:-.}
N=${1:-200000}
# bounds in KB: the default cap (100000 flows) and --max-flows 10000
BOUND_DEFAULT=${FLOOD_BOUND_DEFAULT:-160000}
BOUND_CAP=${FLOOD_BOUND_CAP:-40000}
TIME=/usr/bin/time
if [ ! -x $TIME ]; then
	echo "SKIP: $TIME missing (Debian package: time)"
	exit 77
fi
sanitized=0
if grep -q __asan_init "$NS" 2>/dev/null; then
	sanitized=1
	[ $# -eq 0 ] && N=50000
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
/usr/bin/python3 "$SRC/tests/syn-flood.py" "$N" >"$TMP/flood.pcap" || exit 1
fail=0

# run LABEL CAP ARGS...: read the flood, check counters and peak RSS
run() {
	local label=$1 cap=$2 bound=$3
	shift 3
	$TIME -f "%M" -o "$TMP/rss" "$NS" read "$@" "$TMP/flood.pcap" \
		>/dev/null 2>"$TMP/err"
	local rc=$? rss
	rss=$(tail -1 "$TMP/rss")
	local evicted=$((N > cap ? N - cap : 0))
	local want="netscope: flows: $N TCP, 0 UDP; 0 expired idle, $evicted evicted at the cap of $cap (--max-flows)"
	if [ $rc != 0 ]; then
		echo "FAIL: $label: exit $rc"
		fail=1
	fi
	if [ $evicted -gt 0 ] && ! grep -qF "$want" "$TMP/err"; then
		echo "FAIL: $label: want \"$want\", stderr:"
		sed 's/^/    /' "$TMP/err" | head -5
		fail=1
	fi
	if [ $evicted = 0 ] && [ -s "$TMP/err" ]; then
		echo "FAIL: $label: nothing evicted, yet stderr says:"
		sed 's/^/    /' "$TMP/err" | head -5
		fail=1
	fi
	echo "$label: $N SYNs, cap $cap, $evicted evicted, peak RSS $rss KB" \
	     "(bound $bound KB)"
	if [ $sanitized = 0 ] && [ "$rss" -gt "$bound" ]; then
		echo "FAIL: $label: peak RSS $rss KB over the bound of $bound KB"
		fail=1
	fi
}

run "default" 100000 "$BOUND_DEFAULT"
run "--max-flows 10000" 10000 "$BOUND_CAP" --max-flows 10000
exit $fail
