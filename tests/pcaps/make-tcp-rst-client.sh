#!/bin/bash
# tcp-rst-client.pcap: the client sends data, gets an answer, sends more,
# and aborts: SO_LINGER {1, 0} and close() send RST+ACK.
# tcp-peers.py rst-client: client 198.51.100.1:40082 (namespace a), server
# 198.51.100.2:20082 (namespace b), joined by tcp-relay.py, which only
# delays the SYN+ACK by 20 ticks (see make-tcp-http-keepalive.sh).
# Captured on a's tap (ta).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

OUT=tcp-rst-client.pcap
relay_hosts --rule 'b>a:delay=20:syn'
capture_both "$OUT" ""
peers rst-client
capture_stop_both

F=$WORK/$OUT
expect_count "$F" 10
expect_count "$F" 0 'tcp[tcpflags] & tcp-fin != 0'
expect_count "$F" 1 'tcp[tcpflags] & tcp-rst != 0 and src port 40082'
check_install "$OUT"
