#!/bin/bash
# tls12-cbc-decrypt.pcap: TLS 1.2 with AES-CBC and HMAC, each session with
# the key log its client wrote (tls12-cbc-decrypt.keys) and the client's
# record of what it fetched (tls12-cbc-decrypt.calls, "PATH STATUS"):
# openssl s_client -keylogfile against openssl s_server -WWW (HTTP/1.0
# GET /hello.txt) on 127.0.0.1:4433 with an RSA certificate, three times:
#
#   ECDHE-RSA-AES128-SHA256   encrypt_then_mac (RFC 7366, openssl's default)
#   ECDHE-RSA-AES256-SHA      MAC then encrypt (-no_etm), HMAC-SHA1
#   ECDHE-RSA-AES256-SHA384   MAC then encrypt, the SHA-384 PRF
#
# Certificates are throwaway (lib-tls.sh); the keys file holds only the
# secrets of these loopback sessions.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"

root=$WORK/htdocs
mkdir -p "$root"
printf 'Hello from netscope tests\n' >"$root/hello.txt"

ns_new lo
tls_certs
bg_run s_server lo sh -c 'cd "$1" && shift && exec "$@"' sh "$root" \
	openssl s_server -accept 127.0.0.1:4433 -cert "$WORK/rsa.crt" \
	-key "$WORK/rsa.key" -quiet -no_ticket -tls1_2 -WWW
wait_listen lo tcp 4433

OUT=tls12-cbc-decrypt.pcap
keys=$WORK/tls12-cbc-decrypt.keys
capture_start lo lo "$OUT" tcp port 4433
for c in ECDHE-RSA-AES128-SHA256: ECDHE-RSA-AES256-SHA:-no_etm \
	ECDHE-RSA-AES256-SHA384:-no_etm; do
	printf 'GET /hello.txt HTTP/1.0\r\n\r\n' |
		in_ns lo openssl s_client -connect 127.0.0.1:4433 -quiet \
			-ign_eof -keylogfile "$keys" -tls1_2 -cipher "${c%%:*}" \
			${c#*:} >>"$WORK/cbc.out" 2>/dev/null
	echo "/hello.txt 200" >>"$WORK/tls12-cbc-decrypt.calls"
done
capture_stop
expect_count "$WORK/$OUT" 3 'tcp[tcpflags] == tcp-syn'
grep -c 'Hello from netscope tests' "$WORK/cbc.out" | grep -qx 3 ||
	die "s_client did not fetch /hello.txt three times"

install -m 644 "$keys" "$PCAPDIR/tls12-cbc-decrypt.keys"
install -m 644 "$WORK/tls12-cbc-decrypt.calls" "$PCAPDIR/tls12-cbc-decrypt.calls"
install_capture "$OUT"
