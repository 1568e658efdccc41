#!/bin/bash
# tls-starttls.pcap: TLS after STARTTLS, as openssl s_client -starttls
# does it against starttls-server.py: SMTP on 25 (EHLO, STARTTLS, 220),
# IMAP on 143 (CAPABILITY, STARTTLS, OK) and POP3 on 110 (CAPA, STLS,
# +OK), each then a TLS 1.3 handshake and the client's QUIT or LOGOUT
# inside it.  One connection per protocol, on lo in a private namespace.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"

OUT=tls-starttls.pcap
ns_new lo
tls_certs
for p in smtp:25 imap:143 pop3:110; do
	bg_run "${p%%:*}" lo "$PY" "$PCAPDIR/starttls-server.py" "${p%%:*}" \
		"${p##*:}" "$WORK/ec.crt" "$WORK/ec.key"
	wait_listen lo tcp "${p##*:}"
done
capture_start lo lo "$OUT" tcp port 25 or tcp port 143 or tcp port 110
for p in smtp:25:QUIT imap:143:"a9 LOGOUT" pop3:110:QUIT; do
	IFS=: read -r proto port bye <<<"$p"
	{ sleep 0.5; printf '%s\r\n' "$bye"; sleep 0.3; } |
		in_ns lo openssl s_client -quiet -starttls "$proto" \
			-connect "127.0.0.1:$port" -servername mail.example.test \
			>>"$WORK/clients.out" 2>&1 || true
done
capture_stop
expect_count "$WORK/$OUT" 3 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
