#!/bin/bash
# dns-tcp.pcap: DNS over TCP (RFC 7766) to knotd (lib-dns.sh) on
# 127.0.0.1, captured on lo in a private namespace.  In order, one
# connection each, from ports 40061-40066: dig +tcp for A, dig +tcp
# +keepalive (the server answers with its EDNS TCP keepalive option), dig
# +tcp +padding, a 3700-byte TXT answer, a zone transfer (AXFR); then
# dns-client.py on one connection:
# three queries written at once (three messages in one segment) and a
# fourth written in two parts 0.2 s apart (one message over two segments).
# (lo hands tcpdump whole writes, not MSS-sized segments: the large answers
# are single frames.)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-dns.sh"

OUT=dns-tcp.pcap
ns_new dns
dns_server
capture_start dns lo "$OUT" tcp port 53
# each connection from its own fixed port, so that regenerations match
t() {
	local port=$1
	shift
	dig_ns @127.0.0.1 -b "127.0.0.1#$port" +tcp +tries=1 +time=2 +nocookie "$@"
}
t 40061 api.example.test A
t 40062 +keepalive example.test MX
t 40063 +padding=256 www.example.test A
t 40064 big.example.test TXT
t 40065 example.test AXFR
in_ns dns "$PY" "$PCAPDIR/dns-client.py" tcp-pipeline 127.0.0.1 40066 \
	api.example.test:A txt.example.test:TXT example.test:CAA \
	svc.example.test:SVCB
capture_stop

F=$WORK/$OUT
expect_count "$F" 6 'tcp[tcpflags] == tcp-syn'
expect_count "$F" 0 'tcp[tcpflags] & tcp-rst != 0'
install_capture "$OUT"
