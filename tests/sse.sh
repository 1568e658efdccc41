#!/bin/bash
# SSE (text/event-stream) as a body format, against the server's own
# record (tests/pcaps/sse-*.events, written by sse-server.py when
# make-sse.sh made the captures), over HTTP/1.1 chunked and delimited by
# the connection's end (sse-http1), HTTP/2 with prior knowledge (sse-h2),
# and both decrypted from TLS 1.3 with curl's key log (sse-tls-decrypt):
# every event's id, name and data; the time of the packet that completed
# it and each gap between events within 1 ms of the server's writes
# (tests/sse_check.py); --calls and -z sse,stat list each stream with its
# event count, time to first event, gaps (mean, p99 nearest rank, max)
# and [DONE]; the fields work with -Y and -e.  sse-limits: more events in
# one packet than a layer shows, and an event past the 64 KiB kept.
. "${srcdir:-.}/tests/testlib.sh"
SRC=$(cd "${srcdir:-.}" && pwd)
CHECK="python3 $SRC/tests/sse_check.py"
# keys NAME: the --tls-keylog option NAME needs, if any
keys() {
	[ -e "$PCAPS/$1.keys" ] && echo --tls-keylog "$PCAPS/$1.keys"
}
for c in sse-http1 sse-h2 sse-tls-decrypt; do
	# shellcheck disable=SC2046 # keys gives two words or none
	"$NS" read "$PCAPS/$c.pcap" $(keys $c) -T json -Y sse >"$TMP/$c.json"
	check "$c: events and their times as the server's record" \
		$CHECK events "$PCAPS/$c.events" "$TMP/$c.json"
	# the fields, with a display filter and as columns
	want=$(grep -c '"kind": "event"' "$PCAPS/$c.events")
	# shellcheck disable=SC2046
	got=$("$NS" read "$PCAPS/$c.pcap" $(keys $c) -Y 'sse.event' \
		-T fields -e sse.event -E occurrence=a -E aggregator=' ' |
		wc -w)
	check "$c: -e sse.event gives $want events" [ "$got" = "$want" ]
	# shellcheck disable=SC2046
	got=$("$NS" read "$PCAPS/$c.pcap" $(keys $c) \
		-Y 'sse.data == "[DONE]"' -T fields -e sse.id | sort -u)
	check "$c: [DONE] found by -Y, the last id kept (10)" [ "$got" = 10 ]
done
# the streams' figures, the limits capture's too (its events counted,
# though not all are shown)
for c in sse-http1 sse-limits sse-h2 sse-tls-decrypt; do
	# shellcheck disable=SC2046
	"$NS" read -q --calls "$PCAPS/$c.pcap" $(keys $c) >"$TMP/$c.calls"
	check "$c: --calls lists each stream as the server's record" \
		$CHECK calls "$PCAPS/$c.events" "$TMP/$c.calls"
	# shellcheck disable=SC2046
	"$NS" read -q -z sse,stat "$PCAPS/$c.pcap" $(keys $c) >"$TMP/$c.stat"
	check "$c: -z sse,stat, one row per stream as the server's record" \
		$CHECK stat "$PCAPS/$c.events" "$TMP/$c.stat"
done
# the limits: 70 events in one packet, 64 shown; an event of 70000 bytes
# keeps its first 64 KiB (the "data: " of its line included) and says so
L=$PCAPS/sse-limits.pcap
"$NS" read "$L" >"$TMP/limits.txt"
check "sse-limits: 64 of 70 events shown, the rest said" grep -q \
	'SSE [0-9]* 64 events (id 64) "data: burst 1" \[more not shown\]' \
	"$TMP/limits.txt"
check "sse-limits: the big event cut and said" grep -q \
	'1 event (id big) "data: x*…" \[event cut at 64 KiB\]' "$TMP/limits.txt"
check "sse-limits: 65530 bytes of its data kept" [ "$("$NS" read "$L" \
	-Y 'sse.event == "big"' -T fields -e sse.data | tr -d '\n' | wc -c)" = 65530 ]
check "sse-limits: sse.error on both" [ "$("$NS" read "$L" -Y sse.error | wc -l)" = 2 ]
check "sse-limits: --calls counts the cut event" \
	grep -q 'events 72 .*\[DONE\] \[1 cut at 64 KiB\]' "$TMP/sse-limits.calls"
# -z sse,stat as JSON: one object, a row per stream
check "-z sse,stat -T json: one table object with 3 rows" python3 -c '
import json, sys
t = json.loads(sys.stdin.readline())
assert t["table"] == "sse,stat" and len(t["rows"]) == 3, t
assert t["columns"][5:10] == ["events", "ttfe", "gap_mean", "gap_p99",
                              "gap_max"], t["columns"]
assert [r[5] for r in t["rows"]] == [11, 11, 150], t["rows"]
' < <("$NS" read -q -T json -z sse,stat "$PCAPS/sse-http1.pcap")
check "-z sse,stat,x is a usage error" sh -c \
	"'$NS' read -q -z sse,stat,x '$PCAPS/sse-h2.pcap' 2>/dev/null; [ \$? = 2 ]"
# without the key log the events stay encrypted: no SSE at all
check "sse-tls-decrypt: nothing without keys" [ \
	"$("$NS" read "$PCAPS/sse-tls-decrypt.pcap" -Y sse | wc -l)" = 0 ]
check "the summary line counts events, names the last id, quotes data" \
	grep -q 'SSE [0-9]* 1 event (id 10) "data: \[DONE\]" \[DONE\]' \
	<("$NS" read "$PCAPS/sse-h2.pcap")
check "a comment on its own packet" grep -q 'SSE [0-9]* comment "keep-alive"' \
	<("$NS" read "$PCAPS/sse-http1.pcap")
check "netscope fields lists the sse fields" [ \
	"$("$NS" fields | grep -cE '^sse\.(event|id|data|retry|comment)	')" = 5 ]
echo "$n checks"
exit $fail
