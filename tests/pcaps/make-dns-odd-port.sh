#!/bin/bash
# dns-odd-port.pcap: DNS on port 5390, where no table names it: dnsmasq
# serves api.example.test (A) and big.example.test (a TXT answer of some
# 1 KB); dig asks, from port 40053, A over UDP, the TXT over UDP without
# EDNS (+noedns: a 512-byte limit, so the answer comes truncated, TC set)
# and, as a resolver does, again over TCP, then A over TCP (+tcp).  Two
# UDP and two TCP exchanges, all on 5390; dig's own record of each answer
# (status, answer count) is dns-odd-port.dig.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v dnsmasq >/dev/null || die "needs dnsmasq (dnsmasq-base)"
command -v dig >/dev/null || die "needs dig (bind9-dnsutils)"

OUT=dns-odd-port.pcap
ns_new dns
s200=$(printf 'x%.0s' $(seq 200))
bg_run dnsmasq dns dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	--listen-address=127.0.0.1 --bind-interfaces --port=5390 \
	--address=/api.example.test/192.0.2.7 \
	--txt-record="big.example.test,$s200,$s200,$s200,$s200,$s200" \
	--cache-size=0 --user=root --pid-file=
wait_listen dns udp 5390
capture_start dns lo "$OUT" port 5390
q() { in_ns dns dig @127.0.0.1 -p 5390 -b 127.0.0.1#40053 +tries=1 +time=2 "$@" |
	sed -n 's/.*status: \([A-Z]*\),.*/\1/p; s/.*ANSWER: \([0-9]*\),.*/\1/p' |
	paste -sd' ' >>"$WORK/dns-odd-port.dig"; }
q api.example.test A
q +noedns big.example.test TXT
q +tcp api.example.test A
capture_stop

F=$WORK/$OUT
expect_count "$F" 4 udp
expect_count "$F" 2 'tcp[tcpflags] == tcp-syn'
install -m 644 "$WORK/dns-odd-port.dig" "$PCAPDIR/dns-odd-port.dig"
install_capture "$OUT"
