#!/bin/bash
# gre-veth.pcap: GRE (RFC 2784) between two hosts, captured on the veth
# that carries it.
#
# This kernel has no CONFIG_NET_IPGRE, so the tunnel is user-space, as in
# make-raw-ipip.sh, and still a real GRE tunnel: in each of namespaces a
# and b, `socat IP4-DATAGRAM:<peer>:47 TUN:...` owns a tun device (tun0)
# opened *with* packet information, so every packet socat reads from tun0
# starts with the 4-byte struct tun_pi — 16 bits of flags, always 0 here,
# then the packet's EtherType — which is byte for byte the base GRE header
# of RFC 2784 §2 (no checksum, key or sequence number, version 0, protocol
# type 0x0800 or 0x86dd).  socat sends it as IPv4 protocol 47 to the peer,
# whose socat writes it into its tun0, where the kernel takes the EtherType
# from the same 4 bytes.  Underlay 198.51.100.1-2 on the veth with
# permanent neighbours (no ARP); inside: 203.0.113.1-2/24 and
# 2001:db8:6::1-2/64 on tun0 (MTU 1476: 1500 - 20 - 4).  Captured on va:
#   1. a pings 203.0.113.2 twice;
#   2. b pings 2001:db8:6::1 once (no ND: tun0 has no link layer);
#   3. curl in a fetches /hello.txt from python3 -m http.server on
#      203.0.113.2:20080 through the tunnel.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v socat >/dev/null || die "needs socat (apt-get install socat)"

OUT=gre-veth.pcap
T4A=203.0.113.1
T4B=203.0.113.2
T6A=2001:db8:6::1
T6B=2001:db8:6::2
two_hosts
ip -n "$(ns_name a)" neigh add "$B4" lladdr "$MAC_B" dev va nud permanent
ip -n "$(ns_name b)" neigh add "$A4" lladdr "$MAC_A" dev vb nud permanent
hosts_up
bg_run socat-a a socat "IP4-DATAGRAM:$B4:47,bind=$A4" \
	"TUN:$T4A/24,tun-name=tun0,iff-up"
bg_run socat-b b socat "IP4-DATAGRAM:$A4:47,bind=$B4" \
	"TUN:$T4B/24,tun-name=tun0,iff-up"
wait_link a tun0
wait_link b tun0
for h in a b; do
	in_ns "$h" ip link set tun0 mtu 1476
done
in_ns a ip -6 addr add "$T6A/64" dev tun0 nodad
in_ns b ip -6 addr add "$T6B/64" dev tun0 nodad
http_server b "$T4B" 20080
settle
capture_start a va "$OUT"
in_ns a ping -n -q -c 2 -i 0.2 -e 4660 "$T4B" >/dev/null
in_ns b ping -6 -n -q -c 1 -e 4661 "$T6A" >/dev/null
in_ns a curl -sS --max-time 5 --local-port 40080 -o /dev/null \
	"http://$T4B:20080/hello.txt"
capture_stop

F=$WORK/$OUT
# ip[20..23] is the GRE header: flags and version 0, then the EtherType
expect_count "$F" 18
expect_count "$F" 18 'ip proto 47 and ip[20:2] == 0'
expect_count "$F" 4 'ip[22:2] == 0x0800 and ip[33] == 1'
expect_count "$F" 2 'ip[22:2] == 0x86dd'
expect_count "$F" 12 'ip[22:2] == 0x0800 and ip[33] == 6'
install_capture "$OUT"
