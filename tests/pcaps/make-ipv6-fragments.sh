#!/bin/bash
# ipv6-fragments.pcap: a pings b over IPv6 across a veth (MTU 1500) with 3000
# bytes of ICMPv6 data: each 3008-byte echo request and reply is sent as
# three fragments with a fragment extension header (1448 + 1448 + 112 bytes
# of fragmentable part).  Two echoes, captured on a's veth (va).  A warm-up
# ping before the capture resolves the neighbours.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=ipv6-fragments.pcap
two_hosts 1500
hosts_up
in_ns a ping -6 -n -q -c 1 "$B6" >/dev/null
capture_start a va "$OUT"
in_ns a ping -6 -n -q -c 2 -i 0.2 -s 3000 -e 4660 "$B6" >/dev/null
capture_stop

F=$WORK/$OUT
expect_count "$F" 12
expect_count "$F" 12 'ip6[6] == 44'
expect_count "$F" 4 'ip6[6] == 44 and ip6[42:2] == 0x0001'   # offset 0, M
expect_count "$F" 4 'ip6[6] == 44 and ip6[42:2] == 0x05a9'   # offset 1448, M
expect_count "$F" 4 'ip6[6] == 44 and ip6[42:2] == 0x0b50'   # offset 2896, last
install_capture "$OUT"
