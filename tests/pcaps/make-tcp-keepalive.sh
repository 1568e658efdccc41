#!/bin/bash
# tcp-keepalive.pcap: an idle connection kept alive by TCP keep-alives.
# tcp-peers.py keepalive 3.5: the client (198.51.100.1:40086, namespace a)
# sets SO_KEEPALIVE, TCP_KEEPIDLE 1, TCP_KEEPINTVL 1, TCP_KEEPCNT 3; one
# request/response with the server (198.51.100.2:20086, namespace b), 3.5 s
# of silence in which the client's kernel sends a keep-alive (seq one
# below the next byte, no data) every second and the server's kernel
# answers each, then a second request/response and the client closes
# first.  The keep-alives come 1 s apart, so 3.5 s holds three of them
# with 0.5 s to spare either way.  tcp-relay.py delays the SYN+ACK 20
# ticks (see make-tcp-http-keepalive.sh).  Captured on a's tap (ta).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

OUT=tcp-keepalive.pcap
relay_hosts --rule 'b>a:delay=20:syn'
capture_both "$OUT" ""
peers keepalive 3.5
capture_stop_both

F=$WORK/$OUT
expect_count "$F" 21
expect_count "$F" 2 'tcp[tcpflags] & tcp-fin != 0'
check_install "$OUT"
