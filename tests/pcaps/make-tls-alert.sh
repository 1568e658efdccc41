#!/bin/bash
# tls-alert.pcap: failed handshakes.  openssl s_server allows TLS 1.3 only;
# s_client insists on TLS 1.2, and the server answers its ClientHello with
# a fatal protocol_version alert.  Then a TLS 1.2 server with only
# AES256-GCM-SHA384 and a client with only AES128-GCM-SHA256: fatal
# handshake_failure.  Ports 443 and 8443 (the second by the heuristic).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"

OUT=tls-alert.pcap
ns_new lo
tls_certs
tls_server lo 443 ec -tls1_3
bg_pid=$BG_PID
tls_server lo 8443 rsa -tls1_2 -cipher AES256-GCM-SHA384
capture_start lo lo "$OUT" tcp port 443 or tcp port 8443
tls_client lo 443 -servername api.example.com -tls1_2
tls_client lo 8443 -servername api.example.com -tls1_2 \
	-cipher AES128-GCM-SHA256
capture_stop

F=$WORK/$OUT
expect_count "$F" 2 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
