#!/bin/bash
# ipv4-fragments.pcap: a in namespace a pings b across a veth (MTU 1500) with
# 3000 bytes of ICMP data: each 3008-byte echo request and reply leaves the
# sender as three IPv4 fragments (1480 + 1480 + 48 bytes of payload).  Two
# echoes, captured on a's veth (va).  A warm-up ping before the capture
# resolves ARP so the file holds only the fragments.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=ipv4-fragments.pcap
two_hosts 1500
hosts_up
in_ns a ping -n -q -c 1 "$B4" >/dev/null
capture_start a va "$OUT"
in_ns a ping -n -q -c 2 -i 0.2 -s 3000 -e 4660 "$B4" >/dev/null
capture_stop

F=$WORK/$OUT
expect_count "$F" 12
expect_count "$F" 4 'icmp and ip[6:2] & 0x3fff == 0x2000'   # first fragments
expect_count "$F" 4 'ip[6:2] & 0x3fff == 0x20b9'            # MF, offset 1480
expect_count "$F" 4 'ip[6:2] & 0x3fff == 0x0172'            # last, offset 2960
install_capture "$OUT"
