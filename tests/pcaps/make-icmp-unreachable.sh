#!/bin/bash
# icmp-unreachable.pcap: udp-pingpong.py sends one UDP datagram from
# 127.0.0.1:40999 to 127.0.0.1:20999 where nothing listens; the kernel answers
# with ICMP destination unreachable / port unreachable quoting the original
# IPv4 + UDP headers and payload.  Captured on lo (Ethernet) in a private
# namespace.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=icmp-unreachable.pcap
ns_new lo
capture_start lo lo "$OUT" udp or icmp
in_ns lo "$PY" "$PCAPDIR/udp-pingpong.py" closed 127.0.0.1 20999 40999
capture_stop

F=$WORK/$OUT
expect_count "$F" 2
expect_count "$F" 1 udp dst port 20999
expect_count "$F" 1 'icmp[icmptype] == icmp-unreach and icmp[icmpcode] == 3'
install_capture "$OUT"
