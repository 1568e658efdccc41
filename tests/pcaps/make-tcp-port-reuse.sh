#!/bin/bash
# tcp-port-reuse.pcap: two connections, one after the other, on the same
# 4-tuple 198.51.100.1:40087 -> 198.51.100.2:20087 (tcp-peers.py
# portreuse; SO_REUSEADDR on both ends).  In each the client sends a
# request, the server answers and closes first, so the server's socket
# ends in TIME_WAIT; 0.2 s after the first connection is over the client
# binds port 40087 again and connects: the server's kernel accepts the new
# SYN on the TIME_WAIT 4-tuple (its timestamp is newer).  tshark gives the
# second connection tcp.stream 1 and flags its SYN "port numbers reused".
# tcp-relay.py delays every SYN+ACK 20 ticks (see
# make-tcp-http-keepalive.sh).  Captured on a's tap (ta).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

OUT=tcp-port-reuse.pcap
relay_hosts --rule 'b>a:delay=20:syn'
capture_both "$OUT" ""
peers portreuse
capture_stop_both

F=$WORK/$OUT
expect_count "$F" 22
expect_count "$F" 2 'tcp[tcpflags] == tcp-syn'
expect_count "$F" 4 'tcp[tcpflags] & tcp-fin != 0'
check_install "$OUT"
