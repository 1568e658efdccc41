#!/bin/bash
# TLS inside an HTTP CONNECT tunnel (issue 17 point 4): tls-connect.pcap
# (curl -p -x through a CONNECT proxy to openssl s_server) read with no
# option: after the proxy's 200 the stream heuristics take the tunnel's
# bytes, so the TLS handshake is dissected as tshark dissects it (same
# frames, types, SNI, versions, cipher), each of curl's two fetches has its
# connection's TLS line in --conversations, and the CONNECT exchange is
# still HTTP.
. "${srcdir:-.}/tests/testlib.sh"
command -v tshark >/dev/null || {
	echo "SKIP: no tshark"
	exit 77
}
P=$PCAPS/tls-connect.pcap
F=(-e frame.number -e tls.record.content_type -e tls.handshake.type
	-e tls.handshake.extensions_server_name -e tls.handshake.ciphersuite)
check "the TLS inside the tunnel, as tshark's" cmp -s \
	<(tshark -r "$P" -d tcp.port==3128,http -Y tls -T fields "${F[@]}" 2>/dev/null) \
	<("$NS" read "$P" -Y tls -T fields "${F[@]}")
check "the CONNECT requests and their 200s stay HTTP" test \
	"$("$NS" read "$P" -Y http -T fields -e http.request.method \
		-e http.response.code | tr -d '\t' | tr '\n' ' ')" = \
	"CONNECT 200 CONNECT 200 "
check "a TLS line per tunnel in --conversations (curl fetched $(grep -c 200 "$PCAPS/tls-connect.curl"))" \
	test "$("$NS" read -q --conversations "$P" | grep -c 'TLS sni=api.example.com v1.3')" = \
	"$(grep -c 200 "$PCAPS/tls-connect.curl")"

echo "$n checks"
exit $fail
