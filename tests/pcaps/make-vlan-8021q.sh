#!/bin/bash
# vlan-8021q.pcap: two namespaces joined by a veth whose frames carry an
# 802.1Q tag, VLAN 100, in both directions; captured on a's veth (va).
# a pings b over IPv4 (tagged ARP first), b pings a over IPv6 (tagged ND
# first), then curl in a fetches /hello.txt from python3 -m http.server in b
# (198.51.100.2:20080) — handshake, request, response, FIN from each side.
#
# The kernel here has no CONFIG_VLAN_8021Q, so there is no vlan sub-interface:
# the kernel's VLAN push/pop is driven by a tc eBPF program on each veth end
# (tc-vlan-bpf.py explains).  The tags on the wire are the same.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=vlan-8021q.pcap
two_hosts
vlan_tc a va 0x8100:100
vlan_tc b vb 0x8100:100
hosts_up
http_server b "$B4" 20080
capture_start a va "$OUT"
in_ns a ping -n -q -c 2 -i 0.2 -e 4660 "$B4" >/dev/null
in_ns b ping -6 -n -q -c 1 -e 4661 "$A6" >/dev/null
in_ns a curl -sS --max-time 5 --local-port 40080 -o /dev/null \
	"http://$B4:20080/hello.txt"
capture_stop

F=$WORK/$OUT
expect_count "$F" 22
expect_count "$F" 0 not vlan 100
expect_count "$F" 2 vlan 100 and arp
expect_count "$F" 4 vlan 100 and icmp
expect_count "$F" 4 vlan 100 and icmp6
expect_count "$F" 12 vlan 100 and tcp port 20080
install_capture "$OUT"
