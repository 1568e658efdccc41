#!/bin/bash
# tcp-ipv6-http.pcap: curl fetches /hello.txt from python3 -m http.server
# over ::1, captured on lo (Ethernet link type) in a private namespace.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=tcp-ipv6-http.pcap
ns_new lo
http_server lo ::1 20080
capture_start lo lo "$OUT" tcp port 20080
in_ns lo curl -sS -g --max-time 5 --local-port 40080 -o /dev/null \
	'http://[::1]:20080/hello.txt'
capture_stop

F=$WORK/$OUT
expect_count "$F" 12 ip6 and tcp
expect_count "$F" 1 'ip6[13+40] == 0x02'                 # SYN
expect_count "$F" 1 'ip6[13+40] == 0x12'                 # SYN+ACK
expect_count "$F" 2 'ip6[13+40] & 0x01 != 0'             # FIN
expect_count "$F" 0 'ip6[13+40] & 0x04 != 0'             # RST
install_capture "$OUT"
