#!/bin/bash
# DNS over TCP where no table names the port (issue 17 point 4):
# dns-odd-port.pcap (dnsmasq on 5390, dig over UDP, a truncated answer
# retried over TCP, and a query over TCP) read with no option: every DNS
# message as tshark decodes it when told the port (-d), dig's answers,
# the truncated UDP answer tied to its TCP retry (both ways with -2), and
# none of it mistaken for HTTP/2 frames.
. "${srcdir:-.}/tests/testlib.sh"
command -v tshark >/dev/null || {
	echo "SKIP: no tshark"
	exit 77
}
P=$PCAPS/dns-odd-port.pcap
F=(-e frame.number -e dns.id -e dns.flags.response -e dns.flags.truncated
	-e dns.qry.name -e dns.qry.type -e dns.count.answers -e dns.flags.rcode)
tf() { tshark -r "$P" -d tcp.port==5390,dns -d udp.port==5390,dns -Y dns \
	-T fields "${F[@]}" 2>/dev/null; }
nf() { "$NS" read "$P" -Y dns -T fields "${F[@]}"; }
check "every DNS message, UDP and TCP, as tshark told the port" \
	cmp -s <(tf) <(nf)
check "four queries and four answers, two over TCP" test \
	"$("$NS" read "$P" -Y 'dns && tcp' -T fields -e dns.flags.response | tr '\n' ' ')" = "0 1 0 1 "
check "dig's answers: the status and answer count of each non-truncated one" \
	test "$(cat "$PCAPS/dns-odd-port.dig")" = \
	"$("$NS" read "$P" -Y 'dns.flags.response == 1 && dns.flags.truncated == 0' \
		-T fields -e dns.flags.rcode -e dns.count.answers |
		sed 's/^0\t/NOERROR /')"
check "no HTTP/2 read into the DNS connections" test \
	"$("$NS" read "$P" -Y http2 | wc -l)" = 0

# the truncated UDP answer (frame 4) and its retry over TCP (frame 8)
check "the TCP query names the truncated answer it retries" test \
	"$("$NS" read "$P" -Y dns.retry_of_truncated -T fields -e frame.number \
		-e dns.retry_of_truncated)" = "$(printf '8\t4')"
check "-2: the truncated answer names its retry" test \
	"$("$NS" read -2 "$P" -Y dns.truncated_retry_in -T fields \
		-e frame.number -e dns.truncated_retry_in)" = "$(printf '4\t8')"
check "... and says so on its line" grep -q \
	'TC no answer to TXT big.example.test (0.077 ms) (retried over TCP in #8)$' \
	<("$NS" read -2 "$P")
check "the same on port 53 (dns-truncated.pcap)" test \
	"$("$NS" read "$PCAPS/dns-truncated.pcap" -Y dns.retry_of_truncated \
		-T fields -e dns.retry_of_truncated)" = 2
check "-z dns,srt counts the TCP exchanges" grep -Eq '^TXT +2 +2 ' \
	<("$NS" read -q -z dns,srt "$P")

echo "$n checks"
exit $fail
