#!/bin/bash
# tcp-refused.pcap: curl connects to 127.0.0.1:20999 where nothing listens;
# the kernel answers the SYN with RST+ACK and curl fails with "Connection
# refused" (exit 7).  Captured on lo (Ethernet) in a private namespace.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=tcp-refused.pcap
ns_new lo
capture_start lo lo "$OUT" tcp port 20999
rc=0
in_ns lo curl -sS --max-time 5 --local-port 40999 -o /dev/null \
	http://127.0.0.1:20999/ 2>/dev/null || rc=$?
[[ $rc -eq 7 ]] || die "curl exited $rc, expected 7 (connection refused)"
capture_stop

F=$WORK/$OUT
expect_count "$F" 2
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
expect_count "$F" 1 'tcp[tcpflags] == (tcp-rst|tcp-ack)'
install_capture "$OUT"
