#!/bin/bash
# tcpdump's and tshark's habits that netscope keeps: the time column of
# every -t form against tshark's own (-t a|ad|d|dd|e|r|u|ud, the Time
# column) and tcpdump's (-t to -ttttt), in two time zones, with a display
# filter so "since the previous shown" and "since the previous read"
# differ; -A against the bytes it must show.  Needs tshark and tcpdump.
set -u
. "${srcdir:-.}/tests/testlib.sh"
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
command -v tcpdump >/dev/null || { echo "SKIP: no tcpdump"; exit 77; }

dns=$PCAPS/dns-udp.pcap
nano=$PCAPS/grpc-inference.pcap
for tz in UTC JST-9; do
	export TZ=$tz
	for f in a ad d dd e r u ud; do
		for cap in "$dns" "$nano"; do
			tshark -r "$cap" -t "$f" -Y 'udp.srcport == 53 || tcp.len > 0' \
				-T fields -e _ws.col.Time >"$TMP/want" 2>/dev/null
			"$NS" read "$cap" -t "$f" -Y 'udp.srcport == 53 || tcp.len > 0' \
				2>/dev/null | sed -E 's/^ *[0-9]+ //' |
				awk -v f="$f" '{ print (f == "ad" || f == "ud") ? $1 " " $2 : $1 }' >"$TMP/got"
			check "-t $f ($tz, $(basename "$cap")): tshark's Time column" \
				cmp -s "$TMP/want" "$TMP/got" ||
				diff "$TMP/want" "$TMP/got" | head -4
		done
	done
	# tcpdump: -t none, -tt epoch, -ttt delta, -tttt date, -ttttt since first
	for t in -tt -ttt -tttt -ttttt; do
		tcpdump -nr "$dns" $t 'udp port 53' 2>/dev/null |
			sed -E 's/^ +//' | awk -v t="$t" '{ print t == "-tttt" ? $1 " " $2 : $1 }' >"$TMP/want"
		"$NS" read "$dns" $t 2>/dev/null | sed -E 's/^ *[0-9]+ //' |
			awk -v t="$t" '{ print t == "-tttt" ? $1 " " $2 : $1 }' >"$TMP/got"
		check "$t ($tz): tcpdump's time" cmp -s "$TMP/want" "$TMP/got" ||
			diff "$TMP/want" "$TMP/got" | head -4
	done
done
export TZ=UTC
check "-t: no time column" test "$("$NS" read "$dns" -t -c 1 2>/dev/null | awk '{ print $2 }')" = 127.0.0.1:40053

# -A: the packet past its link header, as text
http=$PCAPS/tcp-ipv4-http.pcap
"$NS" read "$http" -A >"$TMP/a" 2>/dev/null
check "-A: the request line as text" grep -q 'GET /hello.txt HTTP/1.1$' "$TMP/a"
check "-A: CRLF as a line end" grep -q '^User-Agent: curl/[0-9.]*$' "$TMP/a"
check "-A: from the IP header (E, the version/IHL byte 0x45)" \
	grep -q '^E\.\.' "$TMP/a"
check "-A: one line per packet, then its text" test \
	"$(grep -c '^ *[0-9]* [0-9.]* 127' "$TMP/a")" = "$("$NS" read "$http" | wc -l)"
# -X is -x (hex and ASCII)
check "-X: the same dump as -x" cmp -s <("$NS" read "$http" -X) <("$NS" read "$http" -x)

echo "$n checks"
exit $fail
