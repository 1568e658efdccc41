#!/bin/bash
# tcp-loss-receiver.pcap and tcp-loss-sender.pcap: one bulk transfer with
# four data segments dropped, captured on both sides of the drop.
#
# tcp-peers.py bulk 102400: the client (198.51.100.1:40090, namespace a)
# sends "GET 102400\n"; the server (198.51.100.2:20090, namespace b) answers
# with 102400 bytes of numbered 32-byte lines and closes; the client reads
# only once all of it has arrived (a 1 MiB receive buffer and
# TCP_WINDOW_CLAMP, so its window is the same in every duplicate ACK).
# tcp-relay.py (netem's job, see tcp-relay.py and lib-tcp.sh) drops the
# first transmission of the server's segments at relative seq 36201 (one
# segment alone), 65161 and 66609 (two in a row) and 101361 (the last
# one, which carries the FIN: only the retransmission timer can repair
# that).  It also delays the SYN+ACK 20 ticks and the first data segment 40
# ticks (see make-tcp-http-keepalive.sh).
#   tcp-loss-receiver.pcap  on a's tap (ta): the receiver's view, where the
#                           dropped segments were never seen
#   tcp-loss-sender.pcap    on b's tap (tb): the sender's view, with the
#                           originals of the dropped segments
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

RX=tcp-loss-receiver.pcap
TX=tcp-loss-sender.pcap
relay_hosts \
	--rule 'b>a:delay=20:syn' \
	--rule 'b>a:delay=40:seq=1' \
	--rule 'b>a:drop:seq=36201' \
	--rule 'b>a:drop:seq=65161' \
	--rule 'b>a:drop:seq=66609' \
	--rule 'b>a:drop:seq=101361'
capture_both "$RX" "$TX"
peers bulk 102400
capture_stop_both

expect_count "$WORK/$RX" 149
expect_count "$WORK/$TX" 153
# the sender sent 75 data segments (71 + 4 retransmissions), 71 arrived
expect_count "$WORK/$TX" 75 'src port 20090 and tcp[tcpflags] & tcp-syn == 0 and greater 100'
expect_count "$WORK/$RX" 71 'src port 20090 and tcp[tcpflags] & tcp-syn == 0 and greater 100'
check_install "$RX"
check_install "$TX"
