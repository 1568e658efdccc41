#!/bin/bash
# tls-starttls-xmpp.pcap: TLS after XMPP's STARTTLS (RFC 6120 §5), as
# openssl s_client -starttls xmpp does it against starttls-server.py on
# 5222: the client's stream header, the server's with its features
# (starttls, required), <starttls/>, <proceed/>, then TLS 1.3 and, inside
# it, a new stream and its close.  Two connections, the second to 5269
# (the server-to-server port, the same dialogue), on lo in a private
# namespace.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"

OUT=tls-starttls-xmpp.pcap
ns_new lo
tls_certs
for port in 5222 5269; do
	bg_run "xmpp-$port" lo "$PY" "$PCAPDIR/starttls-server.py" xmpp "$port" \
		"$WORK/ec.crt" "$WORK/ec.key"
	wait_listen lo tcp "$port"
done
capture_start lo lo "$OUT" tcp port 5222 or tcp port 5269
for port in 5222 5269; do
	{
		sleep 0.5
		printf "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='chat.example.test' version='1.0'>"
		sleep 0.3
		printf '</stream:stream>'
		sleep 0.3
	} | in_ns lo openssl s_client -quiet -starttls xmpp \
		-xmpphost chat.example.test -connect "127.0.0.1:$port" \
		-servername chat.example.test >>"$WORK/clients.out" 2>&1 || true
done
capture_stop
expect_count "$WORK/$OUT" 2 'tcp[tcpflags] == tcp-syn'
grep -q 'stream:features' "$WORK/clients.out" ||
	die "the clients saw no stream inside TLS"
install_capture "$OUT"
