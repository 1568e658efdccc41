#!/bin/bash
# ipv4-options-igmp.pcap: IGMPv3 membership reports, which the kernel sends
# with an IPv4 header of 24 bytes (IHL 6) carrying the Router Alert option
# (RFC 2113: 94 04 00 00).  Namespaces a and b joined by a veth, captured on
# a's end (va), while mcast-join.py in a joins 239.1.2.3 on va, holds it 0.5 s
# and leaves it.  Each state change is reported twice (robustness 2): two
# reports with a CHANGE_TO_EXCLUDE record for 239.1.2.3 after the join, two
# with CHANGE_TO_INCLUDE after the leave; 198.51.100.1 -> 224.0.0.22, TTL 1.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=ipv4-options-igmp.pcap
two_hosts
hosts_up
capture_start a va "$OUT"
in_ns a "$PY" "$PCAPDIR/mcast-join.py" 239.1.2.3 va 0.5
capture_stop

F=$WORK/$OUT
expect_count "$F" 4
expect_count "$F" 4 'ip[0] == 0x46 and ip[20:4] == 0x94040000 and igmp and ip[24] == 0x22'
expect_count "$F" 2 'ip[32] == 3'   # CHANGE_TO_INCLUDE
expect_count "$F" 2 'ip[32] == 4'   # CHANGE_TO_EXCLUDE
install_capture "$OUT"
