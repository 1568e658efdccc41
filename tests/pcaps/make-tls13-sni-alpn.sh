#!/bin/bash
# tls13-sni-alpn.pcap: TLS 1.3 on port 443 with an ECDSA P-256 certificate
# (openssl s_server -www, ALPN http/1.1): curl fetches / with SNI
# api.example.com offering ALPN h2,http/1.1; openssl s_client connects with
# SNI www.example.org offering ALPN h2,spdy/3.1,http/1.1, and once more
# with no SNI and no ALPN.  Three connections, all TLS 1.3
# (TLS_AES_256_GCM_SHA384 from curl, TLS_AES_128_GCM_SHA256 forced for
# s_client).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"

OUT=tls13-sni-alpn.pcap
ns_new lo
tls_certs
tls_server lo 443 ec -tls1_3 -alpn http/1.1
capture_start lo lo "$OUT" tcp port 443
in_ns lo curl -sS -k --max-time 5 --local-port 40443 -o /dev/null \
	--resolve api.example.com:443:127.0.0.1 https://api.example.com/
tls_client lo 443 -servername www.example.org -alpn h2,spdy/3.1,http/1.1 \
	-ciphersuites TLS_AES_128_GCM_SHA256
tls_client lo 443 -noservername
capture_stop

F=$WORK/$OUT
expect_count "$F" 3 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
