#!/bin/bash
# dns-udp.pcap: dig asks knotd (lib-dns.sh) over UDP on 127.0.0.1 and ::1,
# captured on lo in a private namespace: every record type the DNS
# dissector decodes, a CNAME chain, NXDOMAIN, REFUSED, an unknown type
# (RFC 3597), EDNS client subnet (IPv4 and IPv6), cookies (knotd answers
# the first with BADCOOKIE and its server cookie, dig asks again),
# padding, an EDNS version the server does not know (BADVERS, an extended
# rcode) and a query sent twice at once with the same id before the first
# answer (a retransmission, then a second answer).  dig speaks from port
# 40053, dns-client.py from 40054.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-dns.sh"

OUT=dns-udp.pcap
ns_new dns
dns_server
capture_start dns lo "$OUT" udp port 53
q() { dig_ns @127.0.0.1 -b 127.0.0.1#40053 +tries=1 +time=2 +nocookie "$@"; }
q api.example.test A
q api.example.test AAAA
q www.example.test A
q nx.example.test A
q example.test MX
q txt.example.test TXT
q _sip._tcp.example.test SRV
q example.test CAA
q naptr.example.test NAPTR
q svc.example.test SVCB
q example.test HTTPS
q alias.example.test HTTPS
q example.test NS
q example.test SOA
q 7.2.0.192.in-addr.arpa PTR
q unknown.example.test TYPE65280
q other.test A
q +subnet=192.0.2.0/24 api.example.test A
q +subnet=2001:db8:1::/48 api.example.test AAAA
q +cookie api.example.test A
q +padding=128 api.example.test A
q +edns=1 +noednsnegotiation api.example.test A
dig_ns @::1 -b "::1#40053" +tries=1 +time=2 +nocookie api.example.test AAAA
# the same query twice at once with one id: a retransmission, answered twice
in_ns dns "$PY" "$PCAPDIR/dns-client.py" udp-twice 127.0.0.1 40054 \
	api.example.test A
capture_stop

F=$WORK/$OUT
expect_count "$F" 26 dst port 53
expect_count "$F" 26 src port 53
install_capture "$OUT"
