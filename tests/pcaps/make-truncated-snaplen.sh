#!/bin/bash
# truncated-snaplen.pcap: curl fetches /big.txt (3000 bytes) from
# python3 -m http.server over 127.0.0.1, captured on lo (Ethernet) in a
# private namespace with `tcpdump -s 60`: every record keeps only the first
# 60 bytes of its frame (14 Ethernet + 20 IPv4 + 26 of the 32-byte TCP
# header, which carries the timestamp option), while the record's original
# length says how long the frame really was.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=truncated-snaplen.pcap
ns_new lo
http_server lo 127.0.0.1 20080
capture_start lo lo "$OUT" -s 60 tcp port 20080
in_ns lo curl -sS --max-time 5 --local-port 40080 -o /dev/null \
	http://127.0.0.1:20080/big.txt
capture_stop

F=$WORK/$OUT
expect_count "$F" 12
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
expect_count "$F" 2 'tcp[tcpflags] & tcp-fin != 0'
install_capture "$OUT"
