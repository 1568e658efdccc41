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

# a long read says it is alive: a progress line on a terminal's stderr,
# erased at the end; nothing when stderr is not a terminal.  The capture
# comes through a pipe that stalls for 1.5 s halfway, so the read lasts
# past the 1 s a progress line waits for, however fast the machine.
python3 - "$TMP/a.pcap" "$TMP/b.pcap" <<'PYEOF'
import struct, sys
frame = (b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" +
         bytes.fromhex("4500004e00004000401100007f0000017f000001") +
         struct.pack(">HHHH", 40000, 9, 58, 0) + b"x" * 50)
recs = b"".join(struct.pack("<IIII", 1800000000, i, len(frame), len(frame)) +
                frame for i in range(20000))
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1) + recs)
with open(sys.argv[2], "wb") as f:
    f.write(recs)
PYEOF
if command -v script >/dev/null; then
	script -qfec "(cat '$TMP/a.pcap'; sleep 1.5; cat '$TMP/b.pcap') | '$NS' read -q -" /dev/null >"$TMP/tty" 2>&1
	check "progress: shown on a terminal (bytes, packets, rate)" \
		grep -aqE "netscope: \(standard input\): [0-9]+ packets, [0-9]+ pkt/s" "$TMP/tty"
	check "progress: erased at the end" grep -aq $'\r\033\\[K' "$TMP/tty"
fi
cat "$TMP/a.pcap" "$TMP/b.pcap" >"$TMP/big.pcap"
"$NS" read -q "$TMP/big.pcap" 2>"$TMP/err"
check "progress: never when stderr is not a terminal" test ! -s "$TMP/err"
# --color: protocol colours on the lines, errors in red; NO_COLOR, never
check "--color=always: a DNS line in blue" grep -q $'^\033\\[34m' \
	<("$NS" read "$PCAPS/dns-udp.pcap" -c 1 --color=always 2>/dev/null)
check "--color (auto) to a pipe: none" test -z \
	"$("$NS" read "$PCAPS/dns-udp.pcap" 2>/dev/null | grep -c $'\033')" -o \
	"$("$NS" read "$PCAPS/dns-udp.pcap" 2>/dev/null | grep -c $'\033')" = 0
check "--color=always: an error in red" grep -q $'^\033\\[31mnetscope: cannot open' \
	<("$NS" read "$TMP/none.pcap" --color=always 2>&1)
if command -v script >/dev/null; then
	NO_COLOR=1 script -qfec "'$NS' read '$PCAPS/dns-udp.pcap' -c 1" /dev/null >"$TMP/nc" 2>&1
	check "NO_COLOR on a terminal: none" test "$(grep -c $'\033' "$TMP/nc")" = 0
	script -qfec "'$NS' read '$PCAPS/dns-udp.pcap' -c 1" /dev/null >"$TMP/c" 2>&1
	check "a terminal: coloured" grep -q $'\033\\[34m' "$TMP/c"
fi
"$NS" read "$PCAPS/dns-udp.pcap" --color=blue >/dev/null 2>&1
check "--color=blue: a usage error" test $? = 2

# -d, tshark's Decode As: the same selector,value,protocol decodes the
# same fields as tshark's -d; bad ones are usage errors; -d help lists
for d in "udp.port==4789,geneve:geneve.version,geneve.vni,geneve.proto_type:vxlan-veth" \
	"udp.port==53,ip:ip.version,udp.length:dns-udp"; do
	spec=${d%%:*}
	rest=${d#*:}
	fields=${rest%%:*}
	cap=$PCAPS/${rest#*:}.pcap
	e=()
	for f in ${fields//,/ }; do e+=(-e "$f"); done
	# over IPv4 (tshark also fills ip.version from an IPv6 header)
	check "-d $spec: the fields tshark -d gives" cmp -s \
		<(tshark -r "$cap" -d "$spec" -Y 'eth.type == 0x0800' -T fields "${e[@]}" 2>/dev/null) \
		<("$NS" read "$cap" -d "$spec" -Y 'eth.type == 0x0800' -T fields "${e[@]}" 2>/dev/null)
done
check "-d: the binding takes the port from DNS (no DNS left, as tshark)" test \
	"$("$NS" read "$PCAPS/dns-udp.pcap" -d udp.port==53,ip -Y dns 2>/dev/null | wc -l)/$("$NS" read "$PCAPS/dns-udp.pcap" -Y dns 2>/dev/null | wc -l)" = "$(tshark -r "$PCAPS/dns-udp.pcap" -d udp.port==53,ip -Y dns 2>/dev/null | wc -l)/52"
for bad in 'udp.port=53,dns' 'sctp.port==1,dns' 'udp.port==70000,dns' 'udp.port==53,nosuch' 'tcp.port==80,ip'; do
	"$NS" read "$PCAPS/dns-udp.pcap" -d "$bad" >/dev/null 2>"$TMP/err"
	check "-d $bad: a usage error" test $? = 2
done
check "-d help: the selectors and protocols" grep -q 'tcp.port udp.port' <("$NS" read -d help)

echo "$n checks"
exit $fail
