#!/bin/bash
# raw-ipip.pcap: IPv4 traffic captured on the inside of an IPv4-in-IPv4
# tunnel (link type RAW: each record starts with the IPv4 header).
#
# This kernel has no CONFIG_NET_IPIP, so the tunnel is made in user space
# with socat, the way VPN software does it: in each of namespaces a and b,
# `socat IP4-DATAGRAM:<peer>:4 TUN:...` owns a tun device (tun0, MTU 1480)
# and carries every packet the kernel routes into it as the payload of an
# IPv4 packet with protocol 4 (IP-in-IP, RFC 2003) over the veth between the
# namespaces, and writes what arrives back into tun0.  tcpdump on tun0 sees
# the inner packets, exactly as on an ipip device.
#
# Inner addresses 203.0.113.1 (a) and 203.0.113.2 (b); outer 198.51.100.1/2.
# Traffic: a pings b twice, then curl in a fetches /hello.txt from
# python3 -m http.server on 203.0.113.2:20080.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v socat >/dev/null || die "needs socat (apt-get install socat)"

OUT=raw-ipip.pcap
T4A=203.0.113.1
T4B=203.0.113.2
two_hosts
hosts_up
for h in a b; do
	# No IPv6 on the tun devices: keeps MLD reports out of the tunnel.
	in_ns "$h" sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
done
bg_run socat-a a socat "IP4-DATAGRAM:$B4:4,bind=$A4" \
	"TUN:$T4A/30,tun-name=tun0,iff-no-pi,iff-up"
bg_run socat-b b socat "IP4-DATAGRAM:$A4:4,bind=$B4" \
	"TUN:$T4B/30,tun-name=tun0,iff-no-pi,iff-up"
wait_link a tun0
wait_link b tun0
in_ns a ip link set tun0 mtu 1480
in_ns b ip link set tun0 mtu 1480
http_server b "$T4B" 20080
settle
capture_start a tun0 "$OUT"
in_ns a ping -n -q -c 2 -i 0.2 -e 4660 "$T4B" >/dev/null
in_ns a curl -sS --max-time 5 --local-port 40080 -o /dev/null \
	"http://$T4B:20080/hello.txt"
capture_stop

F=$WORK/$OUT
expect_count "$F" 16
expect_count "$F" 16 ip
expect_count "$F" 4 icmp
expect_count "$F" 12 tcp port 20080
expect_count "$F" 2 'tcp[tcpflags] & tcp-fin != 0'
install_capture "$OUT"
