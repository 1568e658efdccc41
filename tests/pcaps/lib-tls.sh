# lib-tls.sh — helpers for the TLS captures (make-tls*.sh).  Source it after
# lib.sh.
#
#   tls_certs             throwaway certificates in $WORK: an RSA 2048 and an
#                         ECDSA P-256 self-signed certificate for
#                         api.example.com (SANs api.example.com,
#                         www.example.org, 127.0.0.1), valid 2024-01-01 to
#                         2034-01-01 (fixed by -not_before/-not_after where
#                         the openssl CLI has them, else -days), files
#                         rsa.crt/rsa.key and ec.crt/ec.key
#   tls_server TAG PORT KIND ARGS...   openssl s_server in namespace TAG on
#                         127.0.0.1:PORT with certificate KIND (rsa or ec),
#                         answering HTTP requests (-www), extra ARGS
#                         passed on; waits until it listens
#   tls_client TAG PORT ARGS...        openssl s_client to 127.0.0.1:PORT,
#                         sends nothing and quits after the handshake
#
# Everything is made by openssl 3 and curl on loopback; certificates and
# keys live only in $WORK and are removed with it.

tls_certs() {
	local subj=/CN=api.example.com
	local san=subjectAltName=DNS:api.example.com,DNS:www.example.org,IP:127.0.0.1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/rsa.key" \
		-out "$WORK/rsa.crt" -days 3650 -subj "$subj" \
		-addext "$san" 2>/dev/null || die "openssl req (rsa) failed"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$WORK/ec.key" -out "$WORK/ec.crt" -days 3650 \
		-subj "$subj" -addext "$san" 2>/dev/null ||
		die "openssl req (ec) failed"
}

tls_server() {
	local tag=$1 port=$2 kind=$3
	shift 3
	bg_run "tls-$port" "$tag" openssl s_server -accept "127.0.0.1:$port" \
		-cert "$WORK/$kind.crt" -key "$WORK/$kind.key" -www -quiet \
		-no_ticket "$@"
	wait_listen "$tag" tcp "$port"
}

tls_client() {
	local tag=$1 port=$2
	shift 2
	in_ns "$tag" openssl s_client -connect "127.0.0.1:$port" -quiet \
		-no_ign_eof "$@" </dev/null >/dev/null 2>&1 || true
}
