#!/bin/bash
# tls13-segmented.pcap: TLS 1.3 over a loopback with a 300-byte MTU, so the
# ClientHello (about 520 bytes, as a post-quantum key share makes it on
# real links) spans three TCP segments, and the server's records span
# segments and share them: curl with SNI api.example.com and ALPN
# h2,http/1.1 against openssl s_server (RSA certificate) on port 443.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"

OUT=tls13-segmented.pcap
ns_new lo
ip -n "$(ns_name lo)" link set lo mtu 300
# the capture sees what the stack hands lo: no segmentation offload, so
# segments are on the wire as a 300-byte link would carry them
ip -n "$(ns_name lo)" link set lo gso_max_segs 1 gso_max_size 300
tls_certs
tls_server lo 443 rsa -tls1_3
capture_start lo lo "$OUT" -B 16384 tcp port 443
in_ns lo curl -sS -k --max-time 5 --local-port 40445 -o /dev/null \
	--resolve api.example.com:443:127.0.0.1 https://api.example.com/
capture_stop

F=$WORK/$OUT
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
