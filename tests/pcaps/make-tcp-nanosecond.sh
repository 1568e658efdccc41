#!/bin/bash
# tcp-nanosecond.pcap: `tcpdump --time-stamp-precision=nano` on lo in a
# private namespace (file magic a1b23c4d: timestamps in nanoseconds) while
# curl fetches /hello.txt from python3 -m http.server over 127.0.0.1.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=tcp-nanosecond.pcap
ns_new lo
http_server lo 127.0.0.1 20080
capture_start lo lo "$OUT" --time-stamp-precision=nano tcp port 20080
in_ns lo curl -sS --max-time 5 --local-port 40080 -o /dev/null \
	http://127.0.0.1:20080/hello.txt
capture_stop

F=$WORK/$OUT
[[ $(head -c 4 "$F" | od -An -tx1 | tr -d ' ') == 4d3cb2a1 ]] ||
	die "not a nanosecond pcap"
expect_count "$F" 12
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
expect_count "$F" 2 'tcp[tcpflags] & tcp-fin != 0'
install_capture "$OUT"
