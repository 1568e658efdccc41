#!/bin/bash
# dns-truncated.pcap: dig asks knotd (lib-dns.sh) for a 4000-byte TXT
# record over UDP without EDNS (+noedns: 512-byte answers), gets a
# truncated answer (TC set, no records) and asks again over TCP, as a
# resolver does (both from port 40053); captured on lo in a private
# namespace.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-dns.sh"

OUT=dns-truncated.pcap
ns_new dns
dns_server
capture_start dns lo "$OUT" port 53
dig_ns @127.0.0.1 -b 127.0.0.1#40053 +tries=1 +time=2 +noedns big.example.test TXT
capture_stop

F=$WORK/$OUT
expect_count "$F" 2 udp
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
