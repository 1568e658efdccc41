#!/bin/bash
# tcp-reorder.pcap: a bulk transfer (tcp-peers.py bulk 102400, as in
# make-tcp-loss.sh) in which tcp-relay.py reorders two data segments: the
# server's segment at relative seq 36201 is held back and delivered right
# after the next one (a swap), the one at 65161 right after the next two.
# Nothing is lost; no segment is sent twice.  The SYN+ACK and the first
# data segment are delayed as in make-tcp-loss.sh.  Captured on a's tap
# (ta), the receiver side, where the segments arrive out of order.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

OUT=tcp-reorder.pcap
relay_hosts \
	--rule 'b>a:delay=20:syn' \
	--rule 'b>a:delay=40:seq=1' \
	--rule 'b>a:after=1:seq=36201' \
	--rule 'b>a:after=2:seq=65161'
capture_both "$OUT" ""
peers bulk 102400
capture_stop_both

expect_count "$WORK/$OUT" 149
expect_count "$WORK/$OUT" 71 'src port 20090 and tcp[tcpflags] & tcp-syn == 0 and greater 100'
check_install "$OUT"
