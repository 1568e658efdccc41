#!/bin/bash
# QUIC (issue 20 point 1) on quic-ngtcp2.pcap (make-quic-ngtcp2.sh: the
# ngtcp2 example client and server over GnuTLS on 443): every Initial
# packet's header and frames, decrypted with no key log, and the TLS
# ClientHello and ServerHello their CRYPTO data carries (SNI, ALPN, types,
# JA3, cipher) as tshark decodes them; every connection's ClientHello
# found, the one spread over two Initial packets included; the version and
# ALPN the client's own log says it negotiated; JA4 with QUIC's 'q'.
. "${srcdir:-.}/tests/testlib.sh"
command -v tshark >/dev/null || {
	echo "SKIP: no tshark"
	exit 77
}
P=$PCAPS/quic-ngtcp2.pcap
F=(-e frame.number -e quic.header_form -e quic.long.packet_type
	-e quic.version -e quic.dcid -e quic.scid -e quic.token_length
	-e quic.length -e quic.packet_number -e quic.frame_type
	-e quic.crypto.offset -e quic.crypto.length -e quic.padding_length
	-e tls.handshake.type -e tls.handshake.extensions_server_name
	-e tls.handshake.extensions_alpn_str -e tls.handshake.ja3
	-e tls.handshake.ciphersuite -e tls.handshake.extensions.supported_version)
both() { # FILTER: the fields of the matching packets from both tools
	tshark -r "$P" -Y "$1" -T fields "${F[@]}" -E occurrence=a \
		2>/dev/null >"$TMP/t"
	"$NS" read "$P" -Y "$1" -T fields "${F[@]}" -E occurrence=a >"$TMP/n"
	[ -s "$TMP/t" ] && cmp -s "$TMP/t" "$TMP/n"
}
check "Initial packets: header, frames, TLS as tshark's" \
	both 'quic.long.packet_type == 0'
check "ClientHellos: as tshark's" both 'tls.handshake.type == 1'
check "ServerHellos: as tshark's" both 'tls.handshake.type == 2'
check "a ClientHello per connection ($(wc -l <"$PCAPS/quic-ngtcp2.client"))" \
	test "$("$NS" read "$P" -Y 'tls.handshake.type == 1' -T fields \
		-e udp.stream | sort -u | wc -l)" = \
	"$(wc -l <"$PCAPS/quic-ngtcp2.client")"
# the second client's ClientHello (a 1024-byte key share) comes in CRYPTO
# frames of two Initial packets: the second one completes it
check "a ClientHello over two Initial packets, completed by the second" \
	test "$("$NS" read "$P" -Y 'udp.stream == 1 && quic.crypto.length' \
		-T fields -e frame.number | head -2 | tail -1)" = \
	"$("$NS" read "$P" -Y 'udp.stream == 1 && tls.handshake.type == 1' \
		-T fields -e frame.number)"
ALPN=$("$NS" read "$P" -Y 'tls.handshake.type == 1' -T fields \
	-e tls.handshake.extensions_alpn_str | sort -u)
check "the ALPN offered is the one the client negotiated" test \
	"$ALPN" = "$(sed 's/.*Negotiated ALPN is //' "$PCAPS/quic-ngtcp2.client" | sort -u)"
check "the version is the one the client negotiated" test \
	"$("$NS" read "$P" -Y 'tls.handshake.type == 1' -T fields \
		-e quic.version | sort -u)" = \
	"$(sed 's/.*version is \(0x[0-9a-f]*\).*/\1/' "$PCAPS/quic-ngtcp2.client" | sort -u)"
check "JA4 over QUIC starts with q" test \
	"$("$NS" read "$P" -Y 'tls.handshake.type == 1' -T fields \
		-e tls.handshake.ja4 | cut -c1 | sort -u)" = q
# the summary line: the ClientHello's, on the packet that completes it
check "the summary says SNI, ALPN and JA4" grep -q \
	'TLS 1242 ClientHello SNI=localhost ALPN=h3 v1.3 JA4=q13' \
	<("$NS" read "$P")
echo "quic: $n checks"
exit $fail
