#!/bin/bash
# tcp-http-keepalive.pcap: curl fetches three URLs over one kept-alive
# HTTP/1.1 connection from python3 -m http.server -p HTTP/1.1: /hello.txt
# (26 bytes), /large.txt (70000 bytes, 49 segments) and /big.txt (3000
# bytes); curl closes first when it exits (client FIN, server FIN, ACK).
#
# Namespaces a (curl, 198.51.100.1:40080) and b (server, 198.51.100.2:20080)
# are joined by tcp-relay.py (see lib-tcp.sh), which forwards one frame per
# 1.5 ms tick each way and here only delays: the SYN+ACK by 20 ticks (an
# initial RTT of about 32 ms, so that tshark's out-of-order heuristic,
# which compares with it, is never borderline) and the first segment of
# each response by 40 ticks (the server has written the whole response by
# then, so where the segments start and which carry PSH does not depend on
# how fast python wrote them).  Captured on a's tap (ta).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"
command -v curl >/dev/null || die "needs curl"

OUT=tcp-http-keepalive.pcap
relay_hosts \
	--rule 'b>a:delay=20:syn' \
	--rule 'b>a:delay=40:seq=1' \
	--rule 'b>a:delay=40:seq=213' \
	--rule 'b>a:delay=40:seq=70402'
root=$(http_root)
# large.txt: 70000 bytes of numbered 52-byte lines (the last one cut short)
"$PY" -c 'import sys; sys.stdout.write("".join(
	"line %04d of the 70000-byte file for netscope tests\n" % i
	for i in range(1, 1400))[:70000])' >"$root/large.txt"
touch -d '2024-01-01 00:00:00 UTC' "$root/large.txt"
http_server b "$B4" 20080
capture_both "$OUT" ""
in_ns a curl -sS --max-time 10 --local-port 40080 \
	-o /dev/null -o /dev/null -o /dev/null \
	"http://$B4:20080/hello.txt" "http://$B4:20080/large.txt" \
	"http://$B4:20080/big.txt"
capture_stop_both

F=$WORK/$OUT
expect_count "$F" 125
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
expect_count "$F" 1 'tcp[tcpflags] == (tcp-syn|tcp-ack)'
expect_count "$F" 2 'tcp[tcpflags] & tcp-fin != 0'
expect_count "$F" 0 'tcp[tcpflags] & tcp-rst != 0'
check_install "$OUT"
