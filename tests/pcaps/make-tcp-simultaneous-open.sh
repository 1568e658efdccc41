#!/bin/bash
# tcp-simultaneous-open.pcap: two sockets connect() to each other at the
# same moment (RFC 793 simultaneous open).  tcp-peers.py simopen binds
# 198.51.100.1:40084 (namespace a) and 198.51.100.2:20084 (namespace b) and
# starts a non-blocking connect() on each, microseconds apart;
# tcp-relay.py holds every SYN (and SYN+ACK) 10 ticks, so the two SYNs
# cross.  Each kernel answers the other's SYN with a SYN+ACK (same ISN),
# both reach ESTABLISHED, and each acknowledges the SYN+ACK it got with an
# ACK carrying a D-SACK block; then a line of data each way and an
# ordinary close (40084 closes first).  Captured on a's tap (ta).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

OUT=tcp-simultaneous-open.pcap
relay_hosts --rule 'a>b:delay=10:syn' --rule 'b>a:delay=10:syn'
capture_both "$OUT" ""
peers simopen
capture_stop_both

F=$WORK/$OUT
expect_count "$F" 14
expect_count "$F" 2 'tcp[tcpflags] == tcp-syn'
expect_count "$F" 2 'tcp[tcpflags] == (tcp-syn|tcp-ack)'
check_install "$OUT"
