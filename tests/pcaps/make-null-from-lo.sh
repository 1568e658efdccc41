#!/bin/bash
# null-from-lo.pcap: LINKTYPE_NULL (BSD loopback) made from real traffic.
# Linux cannot capture LINKTYPE_NULL, so this captures lo (Ethernet link
# type) in a private namespace and eth-to-null.py replaces each 14-byte
# Ethernet header with the 4-byte little-endian address family (2 = IPv4,
# 24 = IPv6); nothing else changes.  Traffic, in order:
#   one IPv4 ping (127.0.0.1), one IPv6 ping (::1),
#   one UDP request/response over 127.0.0.1 (40100 -> 20100),
#   one UDP request/response over ::1 (40101 -> 20101)   (udp-pingpong.py)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=null-from-lo.pcap
ns_new lo
bg_run udp4 lo "$PY" "$PCAPDIR/udp-pingpong.py" server 127.0.0.1 20100 1
S4=$BG_PID
bg_run udp6 lo "$PY" "$PCAPDIR/udp-pingpong.py" server ::1 20101 1
S6=$BG_PID
wait_listen lo udp 20100
wait_listen lo udp 20101
capture_start lo lo lo-ethernet.pcap
in_ns lo ping -n -q -c 1 -e 4660 127.0.0.1 >/dev/null
in_ns lo ping -6 -n -q -c 1 -e 4661 ::1 >/dev/null
in_ns lo "$PY" "$PCAPDIR/udp-pingpong.py" client 127.0.0.1 20100 1 40100
in_ns lo "$PY" "$PCAPDIR/udp-pingpong.py" client ::1 20101 1 40101
wait "$S4" "$S6"
capture_stop
"$PY" "$PCAPDIR/eth-to-null.py" "$WORK/lo-ethernet.pcap" "$WORK/$OUT"

F=$WORK/$OUT
expect_count "$F" 8
expect_count "$F" 4 ip
expect_count "$F" 4 ip6
expect_count "$F" 2 icmp
expect_count "$F" 2 icmp6
expect_count "$F" 4 udp
install_capture "$OUT"
