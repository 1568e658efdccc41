#!/bin/bash
# The toy dissector and body format (tests/toy/toy.c): one file and one
# Makefile.am line (TOY_SOURCES) give tests/netscope-toy a protocol on UDP
# port 20100 and a body format for text/plain, with no other file touched.
# Here: they decode what tshark sees, and plain netscope knows neither.
set -u
SRC=${srcdir:-.}
NS=${NETSCOPE:?}
TOY=$(dirname "$NS")/tests/netscope-toy
P=$SRC/tests/pcaps
fail=0
check() { # name, expected, got
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1"
		echo "  expected: $(printf %s "$2" | head -c 400)"
		echo "  got:      $(printf %s "$3" | head -c 400)"
		fail=1
	fi
}
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
[ -x "$TOY" ] || { echo "FAIL: $TOY not built"; exit 1; }

# the dissector: every datagram to or from port 20100, first word and length
want=$(tshark -r "$P/udp-flows.pcap" -o data.show_as_text:TRUE \
	-Y 'udp.port == 20100' -T fields -e frame.number -e data.text \
	-e udp.length 2>/dev/null |
	awk -F'\t' '{split($2, w, " "); print $1 "\t" w[1] "\t" $3 - 8}')
[ "$(printf %s "$want" | wc -l)" -ge 10 ] || { echo "FAIL: tshark saw no datagrams"; exit 1; }
got=$("$TOY" read "$P/udp-flows.pcap" -Y toy -T fields -e frame.number \
	-e toy.word -e toy.len)
check "toy: first word and length of each datagram, as tshark's data" \
	"$want" "$got"
check "toy: found by port, on the line" "TOY" \
	"$("$TOY" read "$P/udp-flows.pcap" -c 1 | awk '{print $6}')"

# the body format: a text/plain response body over HTTP/1.1
want=$(tshark -r "$P/pcapng-dumpcap.pcapng" -Y 'http.content_type == "text/plain"' \
	-T fields -e frame.number -e http.content_length -e http.file_data \
	2>/dev/null | awk -F'\t' '{n = gsub(/\\n/, "", $3); print $1 "\t" $2 "\t" n}')
[ -n "$want" ] || { echo "FAIL: tshark saw no text/plain body"; exit 1; }
got=$("$TOY" read "$P/pcapng-dumpcap.pcapng" -Y toybody -T fields \
	-e frame.number -e toybody.bytes -e toybody.lines)
check "toybody: the body's bytes and lines, on the packet that ends it" \
	"$want" "$got"

# plain netscope: neither is registered
check "netscope has no toy" "2" \
	"$("$NS" read "$P/udp-flows.pcap" -Y toy >/dev/null 2>&1; echo $?)"
check "netscope has no toybody field" "" \
	"$("$NS" fields toybody 2>/dev/null)"
exit $fail
