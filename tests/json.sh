#!/bin/bash
# -T json and -T ndjson:
#  1. every capture in tests/pcaps, both formats, through a real JSON
#     parser (tests/json_check.py): strict JSON, no duplicate keys, values
#     typed as their fields are, as many packets as Wireshark reads;
#  2. the stream is closed (valid JSON) when -c or SIGINT stops the run,
#     and when no packet is printed;
#  3. streaming: peak RSS (/usr/bin/time %M) of -T ndjson over a generated
#     capture (bench/make-capture.py) of 5,000 and of 50,000 packets
#     differs by less than 1 MiB, while the larger output is over 100 MB.
#     --max-flows 16 keeps the flow table, which grows with the number of
#     connections whatever the output, out of the measure.  (Not checked
#     in a sanitizer build, whose allocator keeps freed memory.)
set -u
NS=${NETSCOPE:-./netscope}
NS=$(cd "$(dirname "$NS")" && pwd)/$(basename "$NS")
SRC=$(cd "${srcdir:-.}" && pwd)
command -v capinfos >/dev/null || { echo "SKIP: no capinfos"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0

# 1. the packet counts of Wireshark's reader: capinfos (from
# wireshark-common, which tshark depends on) reads the files with the
# library tshark reads them with, and gives the same count as
# `tshark -r F -T fields -e frame.number | wc -l` at a hundredth of the
# cost (tshark's start-up is half a second a capture)
capinfos -c -M -T -r "$SRC"/tests/pcaps/*.pcap "$SRC"/tests/pcaps/*.pcapng \
	>"$TMP/counts" || fail=1
python3 "$SRC/tests/json_check.py" "$NS" "$TMP/counts" \
	"$SRC"/tests/pcaps/*.pcap "$SRC"/tests/pcaps/*.pcapng || fail=1

# 2. closing the stream
valid() { # valid FILE N: a JSON array of N packets
	python3 -c 'import json, sys
a = json.load(open(sys.argv[1]))
assert isinstance(a, list) and len(a) == int(sys.argv[2]), len(a)' "$@"
}
cap=$SRC/tests/pcaps/tcp-ipv4-http.pcap
"$NS" read -T json -c 3 "$cap" >"$TMP/c3.json" 2>/dev/null
valid "$TMP/c3.json" 3 || { echo "FAIL: -T json -c 3"; fail=1; }
"$NS" read -T json -f 'udp port 9' "$cap" >"$TMP/none.json" 2>/dev/null
valid "$TMP/none.json" 0 || { echo "FAIL: -T json, no packet"; fail=1; }
for n in 5000 50000; do
	python3 "$SRC/bench/make-capture.py" -n $n -o "$TMP/c$n.pcap" \
		>/dev/null || fail=1
done
# SIGINT while the packets come through a pipe that stays open (libpcap
# reads a pipe 1 MiB at a time: 2 MB make sure some packets got through)
(head -c 2000000 "$TMP/c5000.pcap"; sleep 5) |
	"$NS" read -T json - >"$TMP/int.json" 2>/dev/null &
pid=$!
sleep 1
kill -INT "$pid" 2>/dev/null
wait "$pid"
rc=$?
n=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' \
	"$TMP/int.json" 2>/dev/null)
if [ "$rc" != 0 ] || [ -z "$n" ] || [ "$n" -lt 1 ]; then
	echo "FAIL: -T json stopped by SIGINT: exit $rc, ${n:-no} valid array"
	fail=1
else
	echo "SIGINT after $n packets: exit 0, a valid JSON array"
fi

# 3. constant memory
if [ -x /usr/bin/time ]; then
	for n in 5000 50000; do
		/usr/bin/time -f %M -o "$TMP/rss$n" "$NS" read -T ndjson \
			--max-flows 16 "$TMP/c$n.pcap" 2>/dev/null |
			wc -c >"$TMP/bytes$n"
	done
	small=$(tail -n 1 "$TMP/rss5000")
	big=$(tail -n 1 "$TMP/rss50000")
	bytes=$(cat "$TMP/bytes50000")
	echo "peak RSS, -T ndjson: 5000 packets $small KiB, 50000 packets" \
		"$big KiB ($bytes bytes of output)"
	if grep -q __asan_init "$NS" 2>/dev/null; then
		# ASan keeps freed memory in quarantine by design
		echo "sanitizer build: peak RSS not checked"
	elif [ "$bytes" -lt 100000000 ] || [ $((big - small)) -ge 1024 ]; then
		echo "FAIL: -T ndjson does not stream in constant memory"
		fail=1
	fi
else
	echo "SKIP: memory check (no /usr/bin/time)"
fi
exit $fail
