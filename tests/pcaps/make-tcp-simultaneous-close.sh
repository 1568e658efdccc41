#!/bin/bash
# tcp-simultaneous-close.pcap: both ends shutdown(SHUT_WR) at once, so the
# two FINs cross.  tcp-peers.py simclose holds both sockets (client
# 198.51.100.1:40083 in namespace a, server 198.51.100.2:20083 in b): after
# one exchange of data and a quiet 100 ms, it calls shutdown() on one and
# then the other, microseconds apart.  tcp-relay.py holds each FIN 10 ticks
# (about 15 ms) before forwarding it, so both FINs are on the wire before
# either arrives: each side sends its FIN before it has received the
# other's, and both go FIN_WAIT_1 -> CLOSING -> TIME_WAIT.  The SYN+ACK is
# delayed 20 ticks (see make-tcp-http-keepalive.sh).  Captured on a's tap.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

OUT=tcp-simultaneous-close.pcap
relay_hosts --rule 'b>a:delay=20:syn' --rule 'a>b:delay=10:fin' --rule 'b>a:delay=10:fin'
capture_both "$OUT" ""
peers simclose
capture_stop_both

F=$WORK/$OUT
expect_count "$F" 11
expect_count "$F" 2 'tcp[tcpflags] & tcp-fin != 0'
check_install "$OUT"
