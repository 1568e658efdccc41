#!/bin/bash
# icmpv6-unreachable.pcap: udp-pingpong.py sends one UDP datagram from
# [::1]:40999 to [::1]:20999 where nothing listens; the kernel answers with
# ICMPv6 destination unreachable / port unreachable (type 1 code 4) quoting
# the original IPv6 + UDP headers and payload.  Captured on lo (Ethernet) in
# a private namespace.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=icmpv6-unreachable.pcap
ns_new lo
capture_start lo lo "$OUT" ip6
in_ns lo "$PY" "$PCAPDIR/udp-pingpong.py" closed ::1 20999 40999
capture_stop

F=$WORK/$OUT
expect_count "$F" 2
expect_count "$F" 1 ip6 and udp dst port 20999
expect_count "$F" 1 'icmp6[icmp6type] == 1 and icmp6[icmp6code] == 4'
install_capture "$OUT"
