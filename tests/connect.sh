#!/bin/bash
# TLS inside proxies' tunnels (issue 17 point 4), read with no option:
#   tls-connect.pcap  curl -p -x through an HTTP CONNECT proxy: after the
#                     proxy's 200 the stream heuristics take the tunnel's
#                     bytes; the CONNECT exchange stays HTTP
#   tls-socks.pcap    curl through a SOCKS5 proxy (by name and by address):
#                     the SOCKS5 negotiation as tshark's socks fields, then
#                     the tunnel's TLS
#   tls-starttls.pcap openssl s_client -starttls smtp|imap|pop3: the
#                     command and response lines as tshark's smtp, imap and
#                     pop fields, then TLS after the server's go-ahead
#   tls-starttls-xmpp.pcap  the same with -starttls xmpp: stream headers,
#                     <starttls/>, <proceed/> as tshark's xmpp fields
# The TLS handshakes are dissected as tshark dissects them (frames, types,
# SNI, cipher), and each of curl's fetches has its TLS line in
# --conversations.
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


P=$PCAPS/tls-socks.pcap
S=(-e frame.number -e socks.version -e socks.auth_method_count
	-e socks.auth_method -e socks.auth_accepted_method -e socks.command
	-e socks.results -e socks.reserved -e socks.address_type
	-e socks.remote_name -e socks.dst -e socks.port)
# tshark repeats a socks layer on the tunnel's packets (generated version,
# command, port): the negotiation is compared, the frames before the TLS
check "SOCKS5: the negotiation as tshark's socks fields" cmp -s \
	<(tshark -r "$P" -Y 'socks && !tls' -T fields "${S[@]}" 2>/dev/null) \
	<("$NS" read "$P" -Y socks -T fields "${S[@]}")
check "SOCKS5: the TLS inside the tunnel, as tshark's" cmp -s \
	<(tshark -r "$P" -Y tls -T fields "${F[@]}" 2>/dev/null) \
	<("$NS" read "$P" -Y tls -T fields "${F[@]}")
check "SOCKS5: a TLS line per tunnel in --conversations" test \
	"$("$NS" read -q --conversations "$P" | grep -c 'TLS .*v1.3')" = \
	"$(grep -c 200 "$PCAPS/tls-socks.curl")"

P=$PCAPS/tls-starttls.pcap
mailf() { # PROTO FIELDS...: its packets' fields from both tools
	local proto=$1
	shift
	local e=(-e frame.number) f
	for f in "$@"; do e+=(-e "$f"); done
	# tshark 4.0 splits the 8-letter STARTTLS into command STAR and
	# parameter TLS (it takes SMTP commands as 4 letters): its quirk
	tshark -r "$P" -Y "$proto" -T fields "${e[@]}" 2>/dev/null |
		sed 's/\tSTAR\tTLS\t/\tSTARTTLS\t\t/' >"$TMP/t"
	"$NS" read "$P" -Y "$proto" -T fields "${e[@]}" >"$TMP/n"
	cmp -s "$TMP/t" "$TMP/n"
}
check "STARTTLS: SMTP lines as tshark's" mailf smtp smtp.req.command \
	smtp.req.parameter smtp.response.code smtp.rsp.parameter
check "STARTTLS: IMAP lines as tshark's" mailf imap imap.request_tag \
	imap.request.command imap.response_tag imap.response.status
check "STARTTLS: POP3 lines as tshark's" mailf pop pop.request.command \
	pop.request.parameter pop.response.indicator pop.response.description
check "STARTTLS: the TLS after each upgrade, as tshark's" cmp -s \
	<(tshark -r "$P" -Y tls -T fields "${F[@]}" 2>/dev/null) \
	<("$NS" read "$P" -Y tls -T fields "${F[@]}")
check "STARTTLS: three TLS sessions in --conversations" test \
	"$("$NS" read -q --conversations "$P" | grep -c 'TLS sni=mail.example.test v1.3')" = 3

# XMPP's STARTTLS (tls-starttls-xmpp.pcap: openssl s_client -starttls
# xmpp on 5222 and 5269; tshark binds XMPP to 5222 only)
P=$PCAPS/tls-starttls-xmpp.pcap
XD=(-d tcp.port==5269,xmpp)
xmppf=(-e frame.number -e xmpp.stream -e xmpp.starttls -e xmpp.proceed)
check "STARTTLS: XMPP streams, starttls and proceed as tshark's" cmp -s \
	<(tshark -r "$P" "${XD[@]}" -Y xmpp -T fields "${xmppf[@]}" 2>/dev/null) \
	<("$NS" read "$P" -Y xmpp -T fields "${xmppf[@]}")
check "STARTTLS: XMPP summaries as tshark's Info column" cmp -s \
	<(tshark -r "$P" "${XD[@]}" -Y xmpp -T fields -e _ws.col.Info \
		2>/dev/null | sed 's/ *$//') \
	<("$NS" read "$P" -Y xmpp | sed -E 's/^ *[0-9]+ [0-9.]+ [^ ]+ → [^ ]+ [^ ]+ [0-9]+ //')
check "STARTTLS: the TLS after XMPP's proceed, as tshark's" cmp -s \
	<(tshark -r "$P" "${XD[@]}" -Y tls -T fields "${F[@]}" 2>/dev/null) \
	<("$NS" read "$P" -Y tls -T fields "${F[@]}")
check "STARTTLS: two XMPP TLS sessions in --conversations" test \
	"$("$NS" read -q --conversations "$P" | grep -c 'TLS sni=chat.example.test v1.3')" = 2

echo "$n checks"
exit $fail
