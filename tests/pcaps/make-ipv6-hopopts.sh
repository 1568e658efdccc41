#!/bin/bash
# ipv6-hopopts.pcap: MLDv2 listener reports, which the kernel sends with an
# IPv6 hop-by-hop options header (next header 0) holding a Router Alert
# option (RFC 2711, value 0 = MLD) and a PadN, then ICMPv6 type 143.
# Namespaces a and b joined by a veth, captured on a's end (va), while
# mcast-join.py in a joins ff02::fb on va, holds it 0.5 s and leaves it.
# Each state change is reported twice (robustness variable 2): two reports
# with a CHANGE_TO_EXCLUDE record for ff02::fb after the join, two with
# CHANGE_TO_INCLUDE after the leave.  Source fe80::ff:fe00:a (EUI-64 of
# 02:00:00:00:00:0a), destination ff02::16 (all MLDv2-capable routers).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=ipv6-hopopts.pcap
two_hosts
hosts_up
capture_start a va "$OUT"
in_ns a "$PY" "$PCAPDIR/mcast-join.py" ff02::fb va 0.5
capture_stop

F=$WORK/$OUT
expect_count "$F" 4
expect_count "$F" 4 'ip6[6] == 0 and ip6[40] == 58 and ip6[42:2] == 0x0502 and ip6[48] == 143'
expect_count "$F" 2 'ip6[48] == 143 and ip6[56] == 3'   # CHANGE_TO_INCLUDE
expect_count "$F" 2 'ip6[48] == 143 and ip6[56] == 4'   # CHANGE_TO_EXCLUDE
install_capture "$OUT"
