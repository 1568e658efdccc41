#!/bin/bash
# The HPACK table attack (tests/hpack_flood.py): a peer advertises a 4 GiB
# table and the other fills it.  netscope holds HPACK tables to 64 KiB, so
# peak memory does not grow with the capture (it grew ~57 bytes per
# captured byte before), and says so on the line; and --max-state bounds
# what many connections keep together, saying what it refused.
set -u
SRC=${srcdir:-.}
NS=${NETSCOPE:?}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
check() { # name, command...
	local name=$1
	shift
	if "$@"; then echo "ok: $name"; else echo "FAIL: $name"; fail=1; fi
}
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time missing"; exit 77; }
# a sanitizer's shadow memory is not netscope's: the bounds are checked on
# the plain build, the behaviour on both
limit() { # KiB bound, or one no run reaches under a sanitizer
	if [ "${NS_SANITIZED:-no}" = yes ]; then echo 100000000; else echo "$1"; fi
}
rss() { # peak RSS in KiB of netscope ARGS...
	/usr/bin/time -f %M -o "$TMP/rss" "$NS" "$@" >/dev/null 2>"$TMP/err"
	cat "$TMP/rss"
}
for mb in 4 8 16; do
	python3 "$SRC/tests/hpack_flood.py" $((mb * 1000000)) "$TMP/a.pcap"
	kib=$(rss read -q --calls "$TMP/a.pcap")
	echo "  $mb MB capture: peak RSS $kib KiB"
	check "$mb MB HPACK flood reads in < 64 MiB" test "$kib" -lt "$(limit 65536)"
done
"$NS" read -c 7 "$TMP/a.pcap" >"$TMP/lines" 2>&1
check "the SETTINGS line says the limit" \
	grep -q "HEADER_TABLE_SIZE=4294967295 (over netscope's 65536-byte HPACK limit)" "$TMP/lines"
check "the block that needs more says why" \
	grep -q "headers unavailable (HPACK context lost).*over netscope's 65536-byte limit" "$TMP/lines"
check "the field a filter can find" test "$("$NS" read "$TMP/a.pcap" \
	-Y 'http2.hpack_table_limit == 65536' -T fields -e frame.number)" = 5

# 40 connections at once: their state together is over a 1 MiB budget
python3 "$SRC/tests/hpack_flood.py" 4000000 "$TMP/m.pcap" 40
kib=$(rss read -q --calls --max-state 1 "$TMP/m.pcap")
check "--max-state 1: the refusals are said" \
	grep -q '^netscope: application state: [0-9]* allocations ([0-9]* bytes) refused at the budget of 1 MiB (--max-state)' "$TMP/err"
check "--max-state 1: peak RSS < 32 MiB ($kib KiB)" test "$kib" -lt "$(limit 32768)"
"$NS" read -q --calls "$TMP/m.pcap" >/dev/null 2>"$TMP/err2"
check "the default budget refuses nothing here" \
	test "$(grep -c 'application state' "$TMP/err2")" = 0
check "--max-state 0 is a usage error" \
	test "$("$NS" read --max-state 0 "$TMP/m.pcap" >/dev/null 2>&1; echo $?)" = 2
exit $fail
