#!/bin/bash
# tls12-rsa.pcap: TLS 1.2 on port 4433 (no port binding: found by the
# record-header heuristic) with an RSA 2048 certificate: curl --tls-max 1.2
# with SNI api.example.com, ECDHE-RSA-AES128-GCM-SHA256, so the
# Certificate (subject, SANs, validity, key) and the ServerKeyExchange
# (named group) are in clear; then openssl s_client with
# DHE-RSA-AES256-GCM-SHA384 and ALPN http/1.1.  Then a second server on
# 4434 that sends records of at most 512 bytes (-max_send_frag), so its
# Certificate message spans two handshake records.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"

OUT=tls12-rsa.pcap
ns_new lo
tls_certs
tls_server lo 4433 rsa -tls1_2 \
	-cipher ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384 \
	-alpn http/1.1
tls_server lo 4434 rsa -tls1_2 -max_send_frag 512
capture_start lo lo "$OUT" tcp port 4433 or tcp port 4434
in_ns lo curl -sS -k --max-time 5 --tls-max 1.2 --local-port 40444 \
	-o /dev/null --resolve api.example.com:4433:127.0.0.1 \
	--ciphers ECDHE-RSA-AES128-GCM-SHA256 https://api.example.com:4433/
tls_client lo 4433 -servername api.example.com -alpn http/1.1 \
	-cipher DHE-RSA-AES256-GCM-SHA384 -tls1_2
in_ns lo curl -sS -k --max-time 5 --tls-max 1.2 --local-port 40446 \
	-o /dev/null --resolve api.example.com:4434:127.0.0.1 \
	https://api.example.com:4434/
capture_stop

F=$WORK/$OUT
expect_count "$F" 3 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
