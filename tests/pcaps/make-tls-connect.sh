#!/bin/bash
# tls-connect.pcap: TLS inside an HTTP CONNECT tunnel.  curl -p -x asks
# connect-proxy.py (on 127.0.0.1:3128) for a tunnel to api.example.com:8443
# and speaks TLS 1.3 through it to openssl s_server -www (lib-tls.sh), twice
# (two connections); captured between curl and the proxy only, so the TLS
# handshake follows the CONNECT exchange on port 3128.  curl's record
# (tls-connect.curl) is the HTTP status of each fetch through the tunnel.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"

OUT=tls-connect.pcap
ns_new lo
tls_certs
tls_server lo 8443 ec
bg_run proxy lo "$PY" "$PCAPDIR/connect-proxy.py" 3128 127.0.0.1
wait_listen lo tcp 3128
capture_start lo lo "$OUT" tcp port 3128
for i in 1 2; do
	in_ns lo curl -sS -k -p -x http://127.0.0.1:3128 --max-time 5 \
		-o /dev/null -w '%{http_code}\n' https://api.example.com:8443/ \
		>>"$WORK/tls-connect.curl"
done
capture_stop
expect_count "$WORK/$OUT" 2 'tcp[tcpflags] == tcp-syn'
install -m 644 "$WORK/tls-connect.curl" "$PCAPDIR/tls-connect.curl"
install_capture "$OUT"
