#!/bin/bash
# Display filters end to end: error messages with columns and exit 2,
# filter-check, -Y with -w (only matching packets written), -Y with -c
# (-c counts packets read, as tshark), reports unaffected by -Y, then the
# differential test against tshark over the bundled captures
# (tests/filter_oracle.py).  The operators themselves are unit-tested in
# tests/test_dfilter.c.
# a slow oracle run: make check-slow runs it (NS_SLOW=1), make check skips it
[ "${NS_SLOW:-0}" = 1 ] || {
	echo "SKIP: a slow oracle run, for make check-slow"
	exit 77
}
set -u
NS=${NETSCOPE:-./netscope}
SRC=${srcdir:-.}
P=$SRC/tests/pcaps
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
command -v mergecap >/dev/null || { echo "SKIP: no mergecap"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
check() {
	local what=$1
	shift
	if ! "$@"; then
		echo "FAIL: $what"
		fail=1
	fi
}

# errors name the column, suggest a field, exit 2, print no packet
"$NS" read "$P/grpc-inference.pcap" -Y 'tcp.prot == 1' >"$TMP/o" 2>"$TMP/e"
check "bad field: exit 2" test $? = 2
check "bad field: message" test "$(cat "$TMP/e")" = \
	'netscope: filter: column 1: unknown field "tcp.prot" (did you mean tcp.port?)'
check "bad field: no output" test ! -s "$TMP/o"
"$NS" read "$P/grpc-inference.pcap" -Y 'tcp.port == 80 and' 2>"$TMP/e"
check "dangling and: exit 2" test $? = 2
check "dangling and: column 19" grep -q '^netscope: filter: column 19: unexpected end of filter' "$TMP/e"
"$NS" capture -i lo -Y 'ip.addr == 10.0.0.0/40' 2>"$TMP/e"
check "capture: bad filter checked before opening: exit 2" test $? = 2
check "capture: prefix message" grep -q 'column 21: bad prefix length "40"' "$TMP/e"

# filter-check
out=$("$NS" filter-check 'tcp.port == 50051 && grpc.message_length > 100 || dns')
check "filter-check: exit 0" test $? = 0
check "filter-check: explained" test "$out" = \
	'(((tcp.port == 50051) and (grpc.message_length > 100)) or dns)'
"$NS" filter-check 'http2.type == NOPE' 2>"$TMP/e" >/dev/null
check "filter-check: invalid: exit 2" test $? = 2
check "filter-check: value name message" grep -q 'column 15: "NOPE" is not a number nor a value name of http2.type' "$TMP/e"
"$NS" filter-check 2>/dev/null
check "filter-check: no filter: exit 2" test $? = 2

# -Y -w: exactly the matching packets are written, in order
F='tcp.len > 0 && tcp.srcport == 50051'
"$NS" read "$P/grpc-inference.pcap" -q -Y "$F" -w "$TMP/y.pcap"
check "-Y -w: exit 0" test $? = 0
want=$(tshark -r "$P/grpc-inference.pcap" -Y "$F" -T fields -e frame.time_epoch 2>/dev/null)
got=$(tshark -r "$TMP/y.pcap" -T fields -e frame.time_epoch 2>/dev/null)
check "-Y -w: written packets are tshark's matches" test "$want" = "$got"
check "-Y -w: not empty" test -n "$got"

# a filter on frame.* alone with nothing to print: no protocol is
# dissected, and the same packets are written
"$NS" read "$P/grpc-inference.pcap" -Y 'frame.len > 100' -w "$TMP/f.pcap"
check "-Y frame.* -w: the packets tshark matches" test \
	"$(tshark -r "$TMP/f.pcap" -T fields -e frame.time_epoch 2>/dev/null)" = \
	"$(tshark -r "$P/grpc-inference.pcap" -Y 'frame.len > 100' -T fields -e frame.time_epoch 2>/dev/null)"

# -c counts packets read, not matched (as tshark -c)
n=$("$NS" read "$P/grpc-inference.pcap" -c 10 -Y 'frame.number > 5' | wc -l)
check "-c 10 -Y: packets 6..10 shown" test "$n" = 5

# reports see every packet whatever -Y keeps
a=$("$NS" read "$P/grpc-inference.pcap" -q --conversations)
b=$("$NS" read "$P/grpc-inference.pcap" -q --conversations -Y 'frame.number == 1')
check "--conversations unaffected by -Y" test "$a" = "$b"

echo "== differential test against tshark"
python3 "$SRC/tests/filter_oracle.py" "$NS" "$P" || fail=1
exit $fail
