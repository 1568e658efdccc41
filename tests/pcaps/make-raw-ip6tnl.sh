#!/bin/bash
# raw-ip6tnl.pcap: IPv6 traffic captured on the inside of an IPv6-in-IPv6
# tunnel (link type RAW: each record starts with the IPv6 header).
#
# This kernel has no CONFIG_IPV6_TUNNEL (no ip6tnl), so the tunnel is made
# in user space with socat: in each of namespaces a and b,
# `socat IP6-DATAGRAM:[peer]:41 TUN:...` owns a tun device (tun0, MTU 1460)
# and carries every packet routed into it as the payload of an IPv6 packet
# with next header 41 (IPv6-in-IPv6, RFC 2473) over the veth between the
# namespaces.  tcpdump on tun0 sees the inner packets, as on an ip6tnl
# device.
#
# Inner addresses 2001:db8:6::1 (a) and 2001:db8:6::2 (b); outer
# 2001:db8:1::1/2.  Traffic: a pings b twice, then curl in a fetches
# /hello.txt from python3 -m http.server on [2001:db8:6::2]:20080.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v socat >/dev/null || die "needs socat (apt-get install socat)"

OUT=raw-ip6tnl.pcap
T6A=2001:db8:6::1
T6B=2001:db8:6::2
two_hosts
hosts_up
bg_run socat-a a socat "IP6-DATAGRAM:[$B6]:41,bind=[$A6]" \
	"TUN,tun-name=tun0,iff-no-pi,iff-up"
bg_run socat-b b socat "IP6-DATAGRAM:[$A6]:41,bind=[$B6]" \
	"TUN,tun-name=tun0,iff-no-pi,iff-up"
wait_link a tun0
wait_link b tun0
for h in a b; do
	in_ns "$h" ip link set tun0 mtu 1460
done
in_ns a ip -6 addr add "$T6A/64" dev tun0 nodad
in_ns b ip -6 addr add "$T6B/64" dev tun0 nodad
http_server b "$T6B" 20080
# The tun devices' link-local addresses send their MLD reports now.
settle
capture_start a tun0 "$OUT"
in_ns a ping -6 -n -q -c 2 -i 0.2 -e 4660 "$T6B" >/dev/null
in_ns a curl -sS -g --max-time 5 --local-port 40080 -o /dev/null \
	"http://[$T6B]:20080/hello.txt"
capture_stop

F=$WORK/$OUT
expect_count "$F" 16
expect_count "$F" 16 ip6
expect_count "$F" 4 icmp6
expect_count "$F" 12 tcp port 20080
install_capture "$OUT"
