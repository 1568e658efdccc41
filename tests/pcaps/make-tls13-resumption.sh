#!/bin/bash
# tls13-resumption-decrypt.pcap: TLS 1.3 session resumption with a PSK.
# openssl s_client (-keylogfile) fetches /hello.txt from openssl s_server
# -WWW (session tickets on) over a full handshake, keeping the session
# (-sess_out); a second s_client resumes it (-sess_in: pre_shared_key with
# psk_dhe_ke, no Certificate) and fetches it again.  Both connections are
# decrypted with the key log (tls13-resumption-decrypt.keys); the client's
# record (.calls) is "PATH STATUS" per fetch, and .resumed the s_client
# line that says each connection was "New" or "Reused".
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"

root=$WORK/htdocs
mkdir -p "$root"
printf 'Hello from netscope tests\n' >"$root/hello.txt"
ns_new lo
tls_certs
bg_run s_server lo sh -c 'cd "$1" && shift && exec "$@"' sh "$root" \
	openssl s_server -accept 127.0.0.1:4433 -cert "$WORK/ec.crt" \
	-key "$WORK/ec.key" -tls1_3 -WWW
wait_listen lo tcp 4433

OUT=tls13-resumption-decrypt.pcap
keys=$WORK/tls13-resumption-decrypt.keys
capture_start lo lo "$OUT" tcp port 4433
for sess in "-sess_out $WORK/sess.pem" "-sess_in $WORK/sess.pem"; do
	# shellcheck disable=SC2086 # two words: the option and its file
	{ printf 'GET /hello.txt HTTP/1.0\r\n\r\n'; sleep 0.5; } |
		in_ns lo openssl s_client -connect 127.0.0.1:4433 -tls1_3 \
			-keylogfile "$keys" $sess >>"$WORK/client.out" 2>&1 || true
	echo "/hello.txt 200" >>"$WORK/tls13-resumption-decrypt.calls"
done
capture_stop
expect_count "$WORK/$OUT" 2 'tcp[tcpflags] == tcp-syn'
grep -E '^(New|Reused),' "$WORK/client.out" >"$WORK/resumed"
[ "$(cut -d, -f1 "$WORK/resumed" | tr '\n' ' ')" = "New Reused " ] ||
	die "the second connection did not resume: $(cat "$WORK/resumed")"
[ "$(grep -c 'Hello from netscope tests' "$WORK/client.out")" = 2 ] ||
	die "s_client did not fetch /hello.txt twice"
install -m 644 "$keys" "$PCAPDIR/tls13-resumption-decrypt.keys"
install -m 644 "$WORK/tls13-resumption-decrypt.calls" "$PCAPDIR/"
install -m 644 "$WORK/resumed" "$PCAPDIR/tls13-resumption-decrypt.resumed"
install_capture "$OUT"
