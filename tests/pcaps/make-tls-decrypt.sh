#!/bin/bash
# The TLS decryption captures, each with the key log its client wrote
# (NAME.keys, NSS format) and the client's own record of what it fetched
# (NAME.calls: one line per request, "PATH STATUS"):
#
#   tls13-h2-decrypt.pcap   curl --http2 --tlsv1.3 (SSLKEYLOGFILE) against
#                           nghttpd over TLS 1.3 on 127.0.0.1:8443: three
#                           GETs on one connection (/index.html, /data.txt,
#                           /missing: 200, 200, 404); TLS_AES_256_GCM_SHA384
#   tls12-h2-decrypt.pcap   the same over TLS 1.2, twice: ECDHE-ECDSA with
#                           AES-128-GCM, then with ChaCha20-Poly1305
#   tls13-suites-decrypt.pcap  openssl s_client -keylogfile against
#                           openssl s_server -WWW (HTTP/1.0 GET /hello.txt)
#                           with TLS_CHACHA20_POLY1305_SHA256, then
#                           TLS_AES_256_GCM_SHA384, then
#                           TLS_AES_128_GCM_SHA256 with a KeyUpdate from
#                           the client before its request
#   tls13-h2-dsb.pcapng     tls13-h2-decrypt.pcap with its key log inside
#                           (editcap --inject-secrets: a pcapng Decryption
#                           Secrets Block), decrypted with no option
#
# Certificates are throwaway (lib-tls.sh); the keys files hold only the
# secrets of these loopback sessions.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"
command -v nghttpd >/dev/null || die "needs nghttpd (nghttp2-server)"

root=$WORK/htdocs
mkdir -p "$root"
printf '<html>hello over TLS</html>\n' >"$root/index.html"
"$PY" -c 'import sys; sys.stdout.write("".join(
	"line %04d of the data file\n" % i for i in range(100)))' >"$root/data.txt"
printf 'Hello from netscope tests\n' >"$root/hello.txt"

ns_new lo
tls_certs

# curl's record: one "PATH STATUS" line per URL
curl_h2() {
	local keys=$1 calls=$2
	shift 2
	in_ns lo env SSLKEYLOGFILE="$keys" curl -sS -k --http2 --max-time 5 \
		--resolve api.example.com:8443:127.0.0.1 \
		-o /dev/null -o /dev/null -o /dev/null \
		-w '%{url_effective} %{response_code}\n' "$@" \
		https://api.example.com:8443/index.html \
		https://api.example.com:8443/data.txt \
		https://api.example.com:8443/missing |
		sed 's|https://api.example.com:8443||' >>"$calls"
}

bg_run nghttpd lo nghttpd -d "$root" 8443 "$WORK/ec.key" "$WORK/ec.crt"
wait_listen lo tcp 8443

OUT=tls13-h2-decrypt.pcap
capture_start lo lo "$OUT" tcp port 8443
curl_h2 "$WORK/tls13-h2-decrypt.keys" "$WORK/tls13-h2-decrypt.calls" \
	--tlsv1.3 --tls13-ciphers TLS_AES_256_GCM_SHA384
capture_stop
expect_count "$WORK/$OUT" 1 'tcp[tcpflags] == tcp-syn'

OUT=tls12-h2-decrypt.pcap
capture_start lo lo "$OUT" tcp port 8443
curl_h2 "$WORK/tls12-h2-decrypt.keys" "$WORK/tls12-h2-decrypt.calls" \
	--tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256
curl_h2 "$WORK/tls12-h2-decrypt.keys" "$WORK/tls12-h2-decrypt.calls" \
	--tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-CHACHA20-POLY1305
capture_stop
expect_count "$WORK/$OUT" 2 'tcp[tcpflags] == tcp-syn'

# s_server -WWW serves files from its working directory
bg_run s_server lo sh -c 'cd "$1" && shift && exec "$@"' sh "$root" \
	openssl s_server -accept 127.0.0.1:4433 -cert "$WORK/ec.crt" \
	-key "$WORK/ec.key" -quiet -no_ticket -tls1_3 -WWW
wait_listen lo tcp 4433
OUT=tls13-suites-decrypt.pcap
keys=$WORK/tls13-suites-decrypt.keys
capture_start lo lo "$OUT" tcp port 4433
for suite in TLS_CHACHA20_POLY1305_SHA256 TLS_AES_256_GCM_SHA384; do
	printf 'GET /hello.txt HTTP/1.0\r\n\r\n' |
		in_ns lo openssl s_client -connect 127.0.0.1:4433 -quiet \
			-ign_eof -keylogfile "$keys" -ciphersuites "$suite" \
			>>"$WORK/suites.out" 2>/dev/null
	echo "/hello.txt 200" >>"$WORK/tls13-suites-decrypt.calls"
done
# a KeyUpdate before the request: s_client sends one on the line "k"
# (a command only without -ign_eof and -quiet)
{ printf 'k\n'; sleep 0.3; printf 'GET /hello.txt HTTP/1.0\r\n\r\n'; sleep 1; } |
	in_ns lo openssl s_client -connect 127.0.0.1:4433 \
		-keylogfile "$keys" -ciphersuites TLS_AES_128_GCM_SHA256 \
		>>"$WORK/suites.out" 2>/dev/null || true
echo "/hello.txt 200" >>"$WORK/tls13-suites-decrypt.calls"
capture_stop
expect_count "$WORK/$OUT" 3 'tcp[tcpflags] == tcp-syn'
grep -c 'Hello from netscope tests' "$WORK/suites.out" | grep -qx 3 ||
	die "s_client did not fetch /hello.txt three times"

editcap --inject-secrets "tls,$WORK/tls13-h2-decrypt.keys" \
	"$WORK/tls13-h2-decrypt.pcap" "$WORK/tls13-h2-dsb.pcapng"

for n in tls13-h2-decrypt tls12-h2-decrypt tls13-suites-decrypt; do
	install -m 644 "$WORK/$n.keys" "$PCAPDIR/$n.keys"
	install -m 644 "$WORK/$n.calls" "$PCAPDIR/$n.calls"
	install_capture "$n.pcap"
done
install_capture tls13-h2-dsb.pcapng
