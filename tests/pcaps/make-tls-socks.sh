#!/bin/bash
# tls-socks.pcap: TLS through a SOCKS5 proxy.  curl asks socks5-proxy.py
# (127.0.0.1:1080, no authentication) to CONNECT, once by domain name
# (--socks5-hostname: api.example.com) and once by address (--socks5:
# 127.0.0.1), then speaks TLS 1.3 to openssl s_server -www (lib-tls.sh)
# through the tunnel; captured between curl and the proxy only.  curl's
# record (tls-socks.curl) is the HTTP status of each fetch.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"

OUT=tls-socks.pcap
ns_new lo
tls_certs
tls_server lo 8443 ec
bg_run proxy lo "$PY" "$PCAPDIR/socks5-proxy.py" 1080 127.0.0.1
wait_listen lo tcp 1080
capture_start lo lo "$OUT" tcp port 1080
for how in --socks5-hostname --socks5; do
	host=api.example.com
	[ "$how" = --socks5 ] && host=127.0.0.1
	in_ns lo curl -sS -k "$how" 127.0.0.1:1080 --max-time 5 \
		-o /dev/null -w '%{http_code}\n' "https://$host:8443/" \
		>>"$WORK/tls-socks.curl"
done
capture_stop
expect_count "$WORK/$OUT" 2 'tcp[tcpflags] == tcp-syn'
install -m 644 "$WORK/tls-socks.curl" "$PCAPDIR/tls-socks.curl"
install_capture "$OUT"
