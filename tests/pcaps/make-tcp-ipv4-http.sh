#!/bin/bash
# tcp-ipv4-http.pcap: curl fetches /hello.txt from python3 -m http.server
# over 127.0.0.1, captured on lo (Ethernet link type) in a private namespace.
# HTTP/1.0, so the server closes first after the response.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=tcp-ipv4-http.pcap
ns_new lo
http_server lo 127.0.0.1 20080
capture_start lo lo "$OUT" tcp port 20080
in_ns lo curl -sS --max-time 5 --local-port 40080 -o /dev/null \
	http://127.0.0.1:20080/hello.txt
capture_stop

F=$WORK/$OUT
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
expect_count "$F" 1 'tcp[tcpflags] == (tcp-syn|tcp-ack)'
expect_count "$F" 2 'tcp[tcpflags] & tcp-fin != 0'
expect_count "$F" 0 'tcp[tcpflags] & tcp-rst != 0'
install_capture "$OUT"
