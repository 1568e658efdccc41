#!/bin/bash
# dns-ipv6-fragments.pcap and dns-ipv4-fragments.pcap: DNS answers larger
# than the link's MTU, sent by knotd (lib-dns.sh, udp-max-payload 4096) over
# UDP and fragmented by the kernel.  In a private namespace, lo's MTU is set
# to 1280 (IPv6's minimum); dig asks with an EDNS buffer of 4096
# (+bufsize=4096):
#   big.example.test TXT            the 4000-byte TXT: a 4-fragment answer
#   signed.test DNSKEY +dnssec      keys and signatures: fits in one packet
#   www.signed.test A +dnssec       small: one packet
#   big.example.test TXT +dnssec    again, a second datagram
# over ::1 for the IPv6 capture and 127.0.0.1 for the IPv4 one, each
# captured on lo (every packet: fragments after the first carry no UDP
# header, so a port filter would miss them).
#   usage: make-dns-ip-fragments.sh [6|4]   (default: both)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-dns.sh"

one() {
	local v=$1 srv out
	if [[ $v == 6 ]]; then srv=::1; else srv=127.0.0.1; fi
	out=dns-ipv$v-fragments.pcap
	capture_start dns lo "$out" "ip$( [[ $v == 6 ]] && echo 6)"
	d() { dig_ns "@$srv" -b "$srv#40053" +tries=1 +time=2 +nocookie +bufsize=4096 "$@"; }
	d big.example.test TXT
	d +dnssec signed.test DNSKEY
	d +dnssec www.signed.test A
	d +dnssec big.example.test TXT
	capture_stop
	local F=$WORK/$out
	if [[ $v == 6 ]]; then
		expect_count "$F" 4 'ip6 and udp dst port 53'
		expect_count "$F" 8 'ip6[6] == 44'
	else
		expect_count "$F" 4 'udp dst port 53'
		expect_count "$F" 6 'ip[6:2] & 0x3fff != 0'
	fi
	install_capture "$out"
}

ns_new dns
DNS_UDP_MAX=4096 dns_server
in_ns dns ip link set lo mtu 1280
for v in ${1:-6 4}; do
	one "$v"
done
