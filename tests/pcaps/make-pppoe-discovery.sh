#!/bin/bash
# pppoe-discovery.pcap: the whole PPPoE discovery stage (RFC 2516 §5) between
# rp-pppoe's client and access concentrator, then its teardown.
#
# Namespace b runs `pppoe-server` on vb (AC-Name netscope-ac, service
# internet); in a, the `pppoe` client on va asks for service internet:
# PADI (broadcast), PADO (with an AC-Cookie), PADR, PADS (session 0x0001).
# This kernel has no PPP support (no /dev/ppp), so no pppd runs at either
# end: the client's standard input, where pppd's frames would come from,
# is /dev/null, so it ends the session at once with a PADT (Generic-Error
# "RP-PPPoE: EOF in asyncReadFromPPP"), and the server answers with its
# own PADT.  No session-stage frame is sent.  Captured with tcpdump on va.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v pppoe-server >/dev/null || die "needs rp-pppoe (apt-get install pppoe)"

OUT=pppoe-discovery.pcap
two_hosts
hosts_up
bg_run pppoe-server b pppoe-server -F -I vb -C netscope-ac -S internet \
	-N 4 -L 10.67.15.1 -R 10.67.15.2
settle
capture_start a va "$OUT" pppoed
in_ns a timeout 10 pppoe -I va -S internet </dev/null || true
capture_stop

F=$WORK/$OUT
expect_count "$F" 6
expect_count "$F" 6 'ether proto 0x8863'
expect_count "$F" 1 'ether[15] == 0x09 and ether dst ff:ff:ff:ff:ff:ff'
expect_count "$F" 1 'ether[15] == 0x07'
expect_count "$F" 1 'ether[15] == 0x19'
expect_count "$F" 1 'ether[15] == 0x65 and ether[16:2] == 1'
expect_count "$F" 2 'ether[15] == 0xa7 and ether[16:2] == 1'
install_capture "$OUT"
