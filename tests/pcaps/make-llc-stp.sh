#!/bin/bash
# llc-stp.pcap: IEEE 802.3 frames with an 802.2 LLC header — Spanning Tree
# BPDUs (DSAP = SSAP = 0x42, UI) sent by the Linux bridge's own STP.
#
# Namespace a has a bridge br0 (MAC 02:00:00:00:02:0a, stp_state 1, hello
# time 1 s, the other timers at their defaults: max age 20 s, forward
# delay 15 s) whose one port is va, a veth to namespace b.  As the only
# bridge it is the root and sends a configuration BPDU every hello time on
# va.  tcpdump in b records the first three on vb (-c 3); they come long
# before the port reaches forwarding (2 x 15 s), so no topology-change flag
# is set in any of them.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=llc-stp.pcap
two_hosts
ip -n "$(ns_name a)" link add br0 address 02:00:00:00:02:0a type bridge \
	stp_state 1 hello_time 100
ip -n "$(ns_name a)" link set va master br0
ip -n "$(ns_name a)" link set br0 up
ip -n "$(ns_name b)" link set vb up
capture_start b vb "$OUT" -c 3 stp
ip -n "$(ns_name a)" link set va up
# tcpdump stops by itself after three BPDUs (one a second)
for ((i = 0; i < 100; i++)); do
	kill -0 "$CAP_PID" 2>/dev/null || break
	sleep 0.1
done
wait "$CAP_PID" || die "capture failed ($(cat "$CAP_ERR"))"

F=$WORK/$OUT
expect_count "$F" 3
expect_count "$F" 3 'stp and ether src 02:00:00:00:00:0a and ether dst 01:80:c2:00:00:00'
# 802.3 length 38 (LLC 3 + BPDU 35), LLC 42 42 03, configuration BPDU
expect_count "$F" 3 'ether[12:2] == 38 and ether[14:4] == 0x42420300 and ether[18:4] == 0x00000000'
install_capture "$OUT"
