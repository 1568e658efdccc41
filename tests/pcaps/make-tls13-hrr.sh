#!/bin/bash
# tls13-hrr.pcap: a HelloRetryRequest.  openssl s_server accepts only the
# P-256 group (-groups P-256); openssl s_client offers x25519 and P-256
# but sends a key share for x25519 only, so the server answers with a
# HelloRetryRequest selecting secp256r1, and the client sends a second
# ClientHello with a P-256 key share.  Port 443, RSA certificate.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"

OUT=tls13-hrr.pcap
ns_new lo
tls_certs
tls_server lo 443 rsa -tls1_3 -groups P-256
capture_start lo lo "$OUT" tcp port 443
tls_client lo 443 -servername api.example.com -groups X25519:P-256 \
	-alpn h2,http/1.1
capture_stop

F=$WORK/$OUT
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
