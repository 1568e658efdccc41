#!/bin/bash
# qinq-8021ad.pcap: like vlan-8021q.pcap but every frame carries two tags:
# outer 802.1ad (TPID 0x88a8) service VLAN 200, inner 802.1Q (TPID 0x8100)
# customer VLAN 100.  Namespaces a and b joined by a veth, captured on va.
# a pings b over IPv4 (tagged ARP first), b pings a over IPv6 (tagged ND
# first), then curl in a fetches /hello.txt from python3 -m http.server in b.
#
# No CONFIG_VLAN_8021Q on this kernel: the tags are pushed and popped by the
# kernel's skb_vlan_push/pop, driven by tc eBPF (tc-vlan-bpf.py).  The MTU is
# lowered to 1492 so a full-size frame with both tags still fits 1500+18.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=qinq-8021ad.pcap
two_hosts 1492
vlan_tc a va 0x8100:100 0x88a8:200
vlan_tc b vb 0x8100:100 0x88a8:200
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
expect_count "$F" 22 'ether[12:2] == 0x88a8 and ether[14:2] & 0x0fff == 200 and ether[16:2] == 0x8100 and ether[18:2] & 0x0fff == 100'
expect_count "$F" 2 'ether[20:2] == 0x0806'
expect_count "$F" 12 'ether[20:2] == 0x0800 and ether[31] == 6'
install_capture "$OUT"
