#!/bin/bash
# quic-ngtcp2.pcap: QUIC version 1 on 443 between Debian's ngtcp2 example
# programs over GnuTLS (gtlsclient, gtlsserver), on lo in a private
# namespace: two connections, each fetching /index.html over HTTP/3:
#   1. the client's defaults (its ClientHello in one Initial packet);
#   2. a finite-field key share of 1024 bytes (-GROUP-ALL:+GROUP-FFDHE8192
#      :+GROUP-X25519): the ClientHello is over 1200 bytes and spreads over
#      two Initial packets in two datagrams.
# quic-ngtcp2.client: the client's own record of each connection, the
# lines of its log that say the version and ALPN negotiated.  The server
# greases the QUIC bit (RFC 9287): some of its long headers have the fixed
# bit clear.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"
command -v gtlsclient >/dev/null || die "needs gtlsclient (ngtcp2-client)"
command -v gtlsserver >/dev/null || die "needs gtlsserver (ngtcp2-server)"

OUT=quic-ngtcp2.pcap
root=$WORK/htdocs
mkdir -p "$root"
printf 'hello over HTTP/3\n' >"$root/index.html"
ns_new lo
tls_certs
bg_run quic lo gtlsserver -q -d "$root" 127.0.0.1 443 "$WORK/ec.key" \
	"$WORK/ec.crt"
sleep 0.5
capture_start lo lo "$OUT" udp port 443
n=0
fetch() { # SNI [gtlsclient options]
	local sni=$1
	shift
	n=$((n + 1))
	mkdir -p "$WORK/dl$n"
	in_ns lo timeout 10 gtlsclient --exit-on-all-streams-close \
		--download "$WORK/dl$n" "$@" 127.0.0.1 443 \
		"https://$sni/index.html" >"$WORK/client$n.log" 2>&1
	cat "$WORK/dl$n/index.html" >>"$WORK/clients.out"
	{
		grep -o 'the negotiated version is 0x[0-9a-f]*' "$WORK/client$n.log"
		grep -o 'Negotiated ALPN is .*' "$WORK/client$n.log"
	} | tr '\n' ' ' | sed 's/ $/\n/' >>"$WORK/quic-ngtcp2.client"
}
fetch localhost
fetch localhost --groups=-GROUP-ALL:+GROUP-FFDHE8192:+GROUP-X25519
capture_stop
grep -c 'hello over HTTP/3' "$WORK/clients.out" | grep -qx 2 ||
	die "the clients did not fetch /index.html twice"
install -m 644 "$WORK/quic-ngtcp2.client" "$PCAPDIR/quic-ngtcp2.client"
install_capture "$OUT"
