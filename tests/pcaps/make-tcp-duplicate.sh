#!/bin/bash
# tcp-duplicate.pcap: a bulk transfer (tcp-peers.py bulk 102400, as in
# make-tcp-loss.sh) in which tcp-relay.py duplicates two of the server's
# data segments (relative seq 36201 and 65161): each is delivered twice,
# back to back, as a duplicating network would.  The SYN+ACK and the first
# data segment are delayed as in make-tcp-loss.sh.  Captured on a's tap
# (ta), the receiver side, where the copies arrive.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"

OUT=tcp-duplicate.pcap
relay_hosts \
	--rule 'b>a:delay=20:syn' \
	--rule 'b>a:delay=40:seq=1' \
	--rule 'b>a:dup:seq=36201' \
	--rule 'b>a:dup:seq=65161'
capture_both "$OUT" ""
peers bulk 102400
capture_stop_both

expect_count "$WORK/$OUT" 153
expect_count "$WORK/$OUT" 73 'src port 20090 and tcp[tcpflags] & tcp-syn == 0 and greater 100'
check_install "$OUT"
