#!/bin/bash
# udp-flows.pcap: four UDP conversations interleaved (for udp.stream).
# tcp-peers.py udpflows: in three rounds, the client (198.51.100.1,
# namespace a) sends one datagram on each of four flows, in turn:
#   40100 -> 20100   request and reply
#   40101 -> 20100   request and reply (same server port, other client port)
#   40102 -> 20101   request and reply
#   40103 -> 20102   one way: the server reads, never answers
# and each reply comes before the next request.  Through tcp-relay.py with
# no rules (a plain one-frame-per-tick link).  Captured on a's tap (ta).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

OUT=udp-flows.pcap
relay_hosts
capture_both "$OUT" ""
peers udpflows
capture_stop_both

F=$WORK/$OUT
expect_count "$F" 21
expect_count "$F" 21 udp
expect_count "$F" 3 'udp port 20102'
check_install "$OUT"
