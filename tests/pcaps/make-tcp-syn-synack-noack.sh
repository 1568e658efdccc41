#!/bin/bash
# tcp-syn-synack-noack.pcap: the handshake's final ACK never arrives.
# tcp-relay.py lets the client's SYN through and drops every later frame
# from a (198.51.100.1:40089) to b (198.51.100.2:20089): the client thinks
# it is connected (connect() returns), the server's half-open connection
# (SYN_RECV) retransmits its SYN+ACK after 1 s and 3 s, each time answered
# by the client with an ACK that the relay drops too.  tcp-peers.py
# synnoack 5 holds the client socket 5 s (the next SYN+ACK would come at
# 7 s), then aborts it (SO_LINGER {1, 0}: one RST, which the relay drops
# as well).  The server never accept()s anything.  Captured on b's tap (tb),
# the server side of the drop.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

OUT=tcp-syn-synack-noack.pcap
relay_hosts --rule 'a>b:drop:from=2'
capture_both "" "$OUT"
peers synnoack 5
capture_stop_both

F=$WORK/$OUT
expect_count "$F" 4
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
expect_count "$F" 3 'tcp[tcpflags] == (tcp-syn|tcp-ack)'
check_install "$OUT"
