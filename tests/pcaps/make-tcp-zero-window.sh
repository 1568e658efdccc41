#!/bin/bash
# tcp-zero-window.pcap: a receiver with a tiny buffer stops reading while
# the sender keeps sending: window full, zero window, zero-window probes,
# then a slow reader.  tcp-peers.py zerowin 32768: the server
# (198.51.100.2:20085, namespace b) has SO_RCVBUF 4096 (window 2896, scale
# 0); the client (198.51.100.1:40085, namespace a) sends "BEGIN 32768\n",
# gets "OK\n", writes 32768 bytes and, later, closes.  The server reads
# nothing until the client's kernel has sent its second zero-window probe
# (counted with TCP_INFO, tcpi_backoff) and the answer is back, then
# reads in bursts: whenever data came, it waits 50 ms and takes all there
# is, so the window goes 2896, 1448, 0 and opens again each time.
# tcp-relay.py delays the SYN+ACK 20 ticks and the first bulk segment 40
# ticks (see make-tcp-http-keepalive.sh).  Captured on b's tap (tb), the
# receiver's side.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

OUT=tcp-zero-window.pcap
relay_hosts --rule 'b>a:delay=20:syn' --rule 'a>b:delay=40:seq=13'
capture_both "" "$OUT"
peers zerowin 32768
capture_stop_both

F=$WORK/$OUT
expect_count "$F" 66
expect_count "$F" 9 'src port 20085 and tcp[14:2] == 0'
check_install "$OUT"
