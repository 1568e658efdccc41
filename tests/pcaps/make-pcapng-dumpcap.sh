#!/bin/bash
# pcapng-dumpcap.pcapng: dumpcap (Wireshark's capture engine, pcapng output
# with section header, interface description and enhanced packet blocks)
# on lo in a private namespace while curl fetches /hello.txt from
# python3 -m http.server over 127.0.0.1.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v dumpcap >/dev/null || die "needs dumpcap (wireshark-common)"

OUT=pcapng-dumpcap.pcapng
ns_new lo
http_server lo 127.0.0.1 20080
dumpcap_start lo lo "$OUT" -f 'tcp port 20080'
in_ns lo curl -sS --max-time 5 --local-port 40080 -o /dev/null \
	http://127.0.0.1:20080/hello.txt
capture_stop

F=$WORK/$OUT
[[ $(head -c 4 "$F" | od -An -tx1 | tr -d ' ') == 0a0d0d0a ]] || die "not pcapng"
expect_count "$F" 12
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
expect_count "$F" 2 'tcp[tcpflags] & tcp-fin != 0'
install_capture "$OUT"
