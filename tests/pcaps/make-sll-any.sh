#!/bin/bash
# sll-any.pcap: tcpdump -i any -y LINUX_SLL (the older cooked header, version 1)
# in namespace a, which has lo and a veth (va) to namespace b, so the cooked
# headers show two interfaces (lo, ARPHRD_LOOPBACK; va, ARPHRD_ETHER) and
# every packet type: host (0), broadcast (1), multicast (2), outgoing (4).
#   1. a pings 127.0.0.1 once (lo; libpcap shows loopback packets once, "In")
#   2. b pings a once over IPv4: broadcast ARP request in, reply out, echo
#   3. b pings a once over IPv6: multicast neighbor solicitation in, NA out,
#      echo
#   4. a sends one UDP request to b (udp-pingpong.py, 40100 -> 20100) and
#      gets the answer
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=sll-any.pcap
two_hosts
hosts_up
bg_run udp-server b "$PY" "$PCAPDIR/udp-pingpong.py" server "$B4" 20100 1
SERVER=$BG_PID
wait_listen b udp 20100
capture_start a any "$OUT" -y LINUX_SLL
in_ns a ping -n -q -c 1 -e 4660 127.0.0.1 >/dev/null
in_ns b ping -n -q -c 1 -e 4661 "$A4" >/dev/null
in_ns b ping -6 -n -q -c 1 -e 4662 "$A6" >/dev/null
in_ns a "$PY" "$PCAPDIR/udp-pingpong.py" client "$B4" 20100 1 40100
wait "$SERVER"
capture_stop

F=$WORK/$OUT
expect_count "$F" 12
expect_count "$F" 7 inbound
expect_count "$F" 5 outbound
expect_count "$F" 2 arp
expect_count "$F" 4 icmp
expect_count "$F" 4 icmp6
expect_count "$F" 2 udp
install_capture "$OUT"
