#!/bin/bash
# arp-ndp-veth.pcap: two namespaces a (198.51.100.1, 2001:db8:1::1, MAC
# 02:00:00:00:00:0a) and b (198.51.100.2, 2001:db8:1::2, MAC
# 02:00:00:00:00:0b) joined by a veth; captured on a's end (va).
# a pings b over IPv4 (ARP request/reply first), then b pings a over IPv6
# (neighbor solicitation/advertisement first).  Neighbour caches are empty
# when the capture starts.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=arp-ndp-veth.pcap
two_hosts
hosts_up
capture_start a va "$OUT"
in_ns a ping -n -q -c 2 -i 0.2 -e 4660 "$B4" >/dev/null
in_ns b ping -6 -n -q -c 2 -i 0.2 -e 4661 "$A6" >/dev/null
capture_stop

F=$WORK/$OUT
expect_count "$F" 12
expect_count "$F" 1 'arp[6:2] == 1 and ether src 02:00:00:00:00:0a'
expect_count "$F" 1 'arp[6:2] == 2 and ether src 02:00:00:00:00:0b'
expect_count "$F" 4 icmp
expect_count "$F" 1 'icmp6[icmp6type] == 135 and ether src 02:00:00:00:00:0b'
expect_count "$F" 1 'icmp6[icmp6type] == 136 and ether src 02:00:00:00:00:0a'
expect_count "$F" 4 'icmp6[icmp6type] == 128 or icmp6[icmp6type] == 129'
install_capture "$OUT"
