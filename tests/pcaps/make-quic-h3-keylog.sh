#!/bin/bash
# quic-h3-keylog.pcap: HTTP/3 between Debian's ngtcp2 example programs over
# GnuTLS (gtlsclient, gtlsserver) on 443, on lo in a private namespace, with
# the client's key log (GnuTLS honours SSLKEYLOGFILE) in quic-h3-keylog.keys.
# Four connections, each fetching three files in one connection (requests
# on client streams 0, 4 and 8: /index.html, /big.txt of 40 KB, and /nope,
# which the server answers 404):
#   1. AES-128-GCM (the client's default);
#   2. ChaCha20-Poly1305 (ChaCha20 header protection);
#   3. AES-256-GCM with a key update after 1 ms (1-RTT packets in two key
#      phases);
#   4. a migration: 3 ms in, the client moves to another local port and
#      goes on there (path validation, new connection IDs), its requests
#      held back 20 ms so that they go over the new path.
# The server sends one datagram per sendmsg (--max-gso-dgrams=1): with UDP
# GSO a capture on lo holds each burst as one large datagram of several
# short-header packets, which no reader can split.
# quic-h3-dsb.pcapng: the same packets with the key log in a Decryption
# Secrets Block.
# quic-h3-keylog.client: the client's own record of each request, one line
# per request: connection number, stream id, path, status; from its log
# ("submit request headers" and the response's ":status").
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"
command -v gtlsclient >/dev/null || die "needs gtlsclient (ngtcp2-client)"
command -v gtlsserver >/dev/null || die "needs gtlsserver (ngtcp2-server)"

OUT=quic-h3-keylog.pcap
root=$WORK/htdocs
mkdir -p "$root"
printf 'hello over HTTP/3\n' >"$root/index.html"
# 40 KB of text a fixed seed makes: the same file every run
"$PY" -c 'import random; r = random.Random(3); print("\n".join("".join(r.choice("abcdefghij") for _ in range(79)) for _ in range(500)))' \
	>"$root/big.txt"
ns_new lo
tls_certs
bg_run quic lo gtlsserver -q --max-gso-dgrams=1 -d "$root" 127.0.0.1 443 "$WORK/ec.key" \
	"$WORK/ec.crt"
sleep 0.5
capture_start lo lo "$OUT" -B 16384 udp port 443
n=0
: >"$WORK/keys"
fetch() { # [gtlsclient options]
	n=$((n + 1))
	mkdir -p "$WORK/dl$n"
	in_ns lo env SSLKEYLOGFILE="$WORK/keys" timeout 10 gtlsclient \
		--exit-on-all-streams-close --no-quic-dump \
		--download "$WORK/dl$n" "$@" 127.0.0.1 443 \
		https://localhost/index.html https://localhost/big.txt \
		https://localhost/nope >"$WORK/client$n.log" 2>&1 || true
	cmp -s "$WORK/dl$n/big.txt" "$root/big.txt" ||
		die "connection $n: big.txt did not arrive whole"
	# request paths by stream, then each stream's status
	awk -v c="$n" '
		function hex(s,  v, i) {
			v = 0
			for (i = 3; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		/^http: stream 0x[0-9a-f]+ submit request headers/ { s = $3; next }
		/^\[:path: / && s != "" { p[s] = substr($2, 1, length($2) - 1); s = ""; next }
		/^http: stream 0x[0-9a-f]+ \[:status: / {
			st = $5; sub(/\]$/, "", st)
			printf "%d %d %s %s\n", c, hex($3), p[$3], st
		}' "$WORK/client$n.log" >>"$WORK/quic-h3-keylog.client"
}
fetch
fetch --ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305
fetch --ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM \
	--key-update=1ms
fetch --change-local-addr=3ms --delay-stream=20ms
capture_stop
[ "$(wc -l <"$WORK/quic-h3-keylog.client")" = 12 ] ||
	die "expected 12 responses in the clients' logs"
grep -q 'Local address is now' "$WORK/client4.log" ||
	die "connection 4 did not move to another local address"
grep -q 'Negotiated cipher suite is CHACHA20-POLY1305' "$WORK/client2.log" ||
	die "connection 2 did not negotiate ChaCha20-Poly1305"
grep -q 'Negotiated cipher suite is AES-256-GCM' "$WORK/client3.log" ||
	die "connection 3 did not negotiate AES-256-GCM"
install -m 644 "$WORK/keys" "$PCAPDIR/quic-h3-keylog.keys"
install -m 644 "$WORK/quic-h3-keylog.client" "$PCAPDIR/quic-h3-keylog.client"
install_capture "$OUT"
# the same packets with their secrets inside: a pcapng Decryption Secrets
# Block, as Wireshark writes it (editcap --inject-secrets)
editcap --inject-secrets "tls,$PCAPDIR/quic-h3-keylog.keys" "$PCAPDIR/$OUT" \
	"$PCAPDIR/quic-h3-dsb.pcapng" || die "editcap --inject-secrets failed"
echo "wrote $PCAPDIR/quic-h3-dsb.pcapng"
