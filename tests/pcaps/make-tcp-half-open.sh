#!/bin/bash
# tcp-half-open.pcap: a SYN that is never answered.  tcp-relay.py drops
# every SYN from a (198.51.100.1:40088) to b (198.51.100.2:20088, where a
# server listens but never sees them); the client's kernel sends the SYN
# again and again.  tcp-peers.py halfopen 3 gives up (closes the socket,
# which sends nothing in SYN_SENT) 0.3 s after the third retransmission,
# counted with TCP_INFO, so the capture always has four SYNs.  This
# kernel (6.18) retransmits SYNs at 1 s intervals (the first
# net.ipv4.tcp_syn_linear_timeouts=4 times), not 1, 2, 4 s apart.
# Captured on a's tap (ta), the client side of the drop.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

OUT=tcp-half-open.pcap
relay_hosts --rule 'a>b:drop:syn'
capture_both "$OUT" ""
peers halfopen 3
capture_stop_both

F=$WORK/$OUT
expect_count "$F" 4
expect_count "$F" 4 'tcp[tcpflags] == tcp-syn'
check_install "$OUT"
