#!/bin/bash
# vxlan-veth.pcap: a VXLAN overlay (RFC 7348), as Kubernetes CNIs (flannel,
# Calico, Cilium) build between nodes, captured on the underlay.
#
# Namespaces a and b are joined by a veth (underlay 198.51.100.1/2, MACs
# 02:00:00:00:00:0a/0b).  Each has the kernel's own vxlan device vx0, VNI
# 42, UDP port 4789, the other host as its remote (MACs 02:00:00:00:01:0a /
# 0b, overlay 203.0.113.1-2/24 and 2001:db8:6::1-2/64, MTU 1450).  The
# outer UDP source port is pinned (srcport 40789 40790: a range of one)
# instead of the kernel's per-flow hash, and the underlay neighbours are
# permanent, so the capture holds only tunnelled frames and is the same on
# every run.  Captured with tcpdump on va:
#   1. a pings 203.0.113.2 twice: inner ARP request/reply, 2 echo pairs;
#   2. b pings 2001:db8:6::1 once: inner NS/NA, 1 echo pair;
#   3. curl in a fetches /hello.txt from python3 -m http.server on
#      203.0.113.2:20080 across the overlay.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=vxlan-veth.pcap
T4A=203.0.113.1
T4B=203.0.113.2
T6A=2001:db8:6::1
T6B=2001:db8:6::2
two_hosts
ip -n "$(ns_name a)" neigh add "$B4" lladdr "$MAC_B" dev va nud permanent
ip -n "$(ns_name b)" neigh add "$A4" lladdr "$MAC_A" dev vb nud permanent
vxlan() { # TAG DEV MAC LOCAL REMOTE ADDR4 ADDR6
	ip -n "$(ns_name "$1")" link add vx0 address "$3" type vxlan id 42 \
		local "$4" remote "$5" dstport 4789 srcport 40789 40790 dev "$2"
	ip -n "$(ns_name "$1")" addr add "$6/24" dev vx0
	ip -n "$(ns_name "$1")" addr add "$7/64" dev vx0 nodad
}
vxlan a va 02:00:00:00:01:0a "$A4" "$B4" "$T4A" "$T6A"
vxlan b vb 02:00:00:00:01:0b "$B4" "$A4" "$T4B" "$T6B"
hosts_up
ip -n "$(ns_name a)" link set vx0 up
ip -n "$(ns_name b)" link set vx0 up
settle
http_server b "$T4B" 20080
capture_start a va "$OUT"
in_ns a ping -n -q -c 2 -i 0.2 -e 4660 "$T4B" >/dev/null
in_ns b ping -6 -n -q -c 1 -e 4661 "$T6A" >/dev/null
in_ns a curl -sS --max-time 5 --local-port 40080 -o /dev/null \
	"http://$T4B:20080/hello.txt"
capture_stop

F=$WORK/$OUT
# udp[8..15] is the VXLAN header, udp[16..29] the inner Ethernet header
expect_count "$F" 22
expect_count "$F" 22 'udp dst port 4789 and udp src port 40789'
expect_count "$F" 22 'udp[8:4] == 0x08000000 and udp[12:4] == 0x00002a00'
expect_count "$F" 2 'udp[28:2] == 0x0806'
expect_count "$F" 4 'udp[28:2] == 0x86dd'
expect_count "$F" 12 'udp[28:2] == 0x0800 and udp[39] == 6'
install_capture "$OUT"
