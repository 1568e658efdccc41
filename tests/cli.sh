#!/bin/bash
# CLI contract: exit status (0 ok, 1 runtime, 2 usage), error message shape
# ("netscope: <what>: <why>" plus a hint for usage errors), stdin reading,
# -c, -f, -w round trips, help and version.  Needs only the built binary
# and the bundled captures.
set -u
NS=${NETSCOPE:-./netscope}
NS=$(cd "$(dirname "$NS")" && pwd)/$(basename "$NS")
PCAPS=$(cd "${srcdir:-.}/tests/pcaps" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
n=0

# expect STATUS PATTERN -- ARGS...: exit status and a stderr line matching
expect() {
	local want=$1 pat=$2
	shift 3
	n=$((n + 1))
	"$NS" "$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ "$got" != "$want" ] || ! grep -qE -- "$pat" "$TMP/err" "$TMP/out"; then
		echo "FAIL: netscope $*: exit $got (want $want), output:"
		sed 's/^/    /' "$TMP/err" "$TMP/out" | head -5
		fail=1
	fi
}

check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	n=$((n + 1))
	if ! "$@"; then
		echo "FAIL: $what"
		fail=1
	fi
}

cap=$PCAPS/tcp-ipv4-http.pcap

expect 2 'Usage: netscope COMMAND' --
expect 0 'Usage: netscope COMMAND' -- --help
expect 0 '^netscope [0-9]' -- --version
expect 0 'libpcap version' -- --version
expect 2 "unknown command 'frobnicate'" -- frobnicate
expect 2 "Try 'netscope --help'" -- frobnicate
expect 0 'Usage: netscope capture' -- capture --help
expect 0 'Usage: netscope read' -- read -h
expect 0 'Usage: netscope read' -- help read
expect 0 'Usage: netscope interfaces' -- interfaces --help
expect 0 'Usage: netscope fields' -- fields --help
expect 2 "read: unknown option '-k'" -- read -k "$cap"
expect 2 "Try 'netscope read --help'" -- read -k "$cap"
expect 2 "read: no capture file given" -- read
expect 2 "option '-c' needs a value" -- read "$cap" -c
expect 2 "invalid number 'x'" -- read "$cap" -c x
expect 2 "invalid number '0'" -- read "$cap" -c 0
expect 2 "-T fields needs at least one -e" -- read "$cap" -T fields
expect 2 "-e needs -T fields" -- read "$cap" -e ip.src
expect 2 "unknown field 'ip.nosuch'" -- read "$cap" -T fields -e ip.nosuch
expect 2 "unknown format 'xml'" -- read "$cap" -T xml
expect 2 "-C, -G and -W need -w FILE" -- read "$cap" -C 1
expect 2 "-W needs -C or -G" -- read "$cap" -w "$TMP/x.pcap" -W 2
expect 2 "cannot rotate standard output" -- read "$cap" -w - -C 1
expect 2 "option -i applies to capture only" -- read "$cap" -i lo
expect 2 "capture filter 'tcp port': .*" -- read "$cap" -f 'tcp port'
# a display-filter slice that selects nothing is refused, as by tshark 4.0
expect 2 '^netscope: filter: column 4: bad slice "0:0": length 0 is not positive$' -- read "$cap" -Y 'ip[0:0,:0]'
expect 2 '^netscope: filter: column 7: bad slice "2-1": the end 1 is not above the start 2$' -- filter-check 'frame[2-1]'
expect 2 "-a: unsupported condition 'filesize:10'" -- capture -a filesize:10
expect 1 "^netscope: cannot open '$TMP/missing.pcap': No such file or directory$" -- read "$TMP/missing.pcap"
echo "not a capture" >"$TMP/junk.pcap"
expect 1 "^netscope: cannot open '$TMP/junk.pcap': .*(unknown file format|bad dump file format)" -- read "$TMP/junk.pcap"
: >"$TMP/empty.pcap"
expect 1 "^netscope: cannot open '$TMP/empty.pcap': " -- read "$TMP/empty.pcap"
expect 1 "^netscope: cannot open interface 'nosuch0': " -- capture -i nosuch0 -c 1
expect 2 "unknown protocol 'nosuchproto'" -- fields nosuchproto
expect 0 '^tcp\.srcport	FT_UINT16	Source Port$' -- fields
expect 0 '^ip\.src	FT_IPv4	Source Address$' -- fields ip
expect 0 '^ip	FT_PROTOCOL	Internet Protocol Version 4$' -- fields ip
expect 0 '^tcp\.flags\.syn	FT_BOOLEAN	Syn$' -- fields tcp
# -E: tshark's options; a wrong one is a usage error that names it
expect 2 "read: -E: unknown option 'foo' \(bom=y\|n, header" -- read "$cap" -T fields -e ip.src -E foo=1
expect 2 "read: -E: unknown option 'header' " -- read "$cap" -T fields -e ip.src -E header
expect 2 "read: -E: invalid value 'x' for quote" -- read "$cap" -T fields -e ip.src -E quote=x
expect 2 "read: -E needs -T fields" -- read "$cap" -E header=y
expect 2 "-e needs -T fields" -- read "$cap" -T json -e ip.src
expect 0 '^ip.src,tcp.srcport$' -- read "$cap" -T fields -e ip.src -e tcp.srcport -E header=y -E separator=,
expect 2 "unknown format 'xml' \(text, fields, json, ndjson\)" -- read "$cap" -T xml

# a truncated capture file: the packets before the cut are shown, then a
# clear error and exit 1
head -c 200 "$cap" >"$TMP/cut.pcap"
expect 1 "^netscope: error reading '$TMP/cut.pcap': .*truncated" -- read "$TMP/cut.pcap"
check "cut file still shows its whole packets" grep -q '^    1 ' "$TMP/out"

# stdin is the same as the file
"$NS" read "$cap" >"$TMP/a" 2>&1
"$NS" read - <"$cap" >"$TMP/b" 2>&1
check "read - equals read FILE" cmp -s "$TMP/a" "$TMP/b"
check "one line per packet" test "$(wc -l <"$TMP/a")" = "$(tshark -r "$cap" 2>/dev/null | wc -l)"

# -V is tshark's -v; --conversations keeps its own meaning
"$NS" read "$cap" -v >"$TMP/v" 2>&1
"$NS" read "$cap" -V >"$TMP/V" 2>&1
check "-V equals -v" cmp -s "$TMP/v" "$TMP/V"
check "--conversations is not -V" sh -c "'$NS' read '$cap' --conversations | grep -q '^TCP'"

# -c, -f, multiple files continue numbering
check "-c 3 gives 3 lines" test "$("$NS" read "$cap" -c 3 | wc -l)" = 3
total=$("$NS" read "$cap" | wc -l)
check "two files: numbering continues" test "$("$NS" read "$cap" "$cap" | tail -1 | awk '{print $1}')" = $((total * 2))
syn=$("$NS" read "$cap" -f 'tcp[tcpflags] & tcp-syn != 0' | wc -l)
check "-f keeps only SYNs" test "$syn" = "$(tshark -r "$cap" -Y 'tcp.flags.syn==1' 2>/dev/null | wc -l)"

# -w writes exactly the packets that pass, readable by tshark, same bytes
"$NS" read "$cap" -f tcp -w "$TMP/w.pcap"
check "-w: packet count" test "$(tshark -r "$TMP/w.pcap" 2>/dev/null | wc -l)" = "$("$NS" read "$cap" -f tcp | wc -l)"
"$NS" read "$cap" -w - | "$NS" read - >"$TMP/c"
check "-w - | read - round trip" cmp -s "$TMP/a" "$TMP/c"
check "-w keeps the file's timestamp precision" test "$(od -An -tx1 -N4 "$TMP/w.pcap" | tr -d ' ')" = "$(od -An -tx1 -N4 "$cap" | tr -d ' ')"

# -G rotation on capture time is deterministic offline
mkdir "$TMP/rot" "$TMP/rot2"
(cd "$TMP/rot" && TZ=UTC "$NS" read "$cap" -w 'r-%s.pcap' -G 1)
(cd "$TMP/rot2" && TZ=UTC "$NS" read "$cap" -w 'r-%s.pcap' -G 1)
check "-G wrote at least one file" test "$(ls "$TMP/rot" | wc -l)" -ge 1
check "-G is deterministic" diff -r "$TMP/rot" "$TMP/rot2"
sum=0
for f in "$TMP"/rot/*.pcap; do sum=$((sum + $("$NS" read "$f" | wc -l))); done
check "-G files hold every packet" test "$sum" = "$total"

# -2: two-pass analysis, files only
expect 2 "capture: -2 \(two-pass analysis\) reads files twice: use 'netscope read -2 FILE'" -- capture -2
expect 2 "Try 'netscope capture --help'" -- capture --two-pass -i lo
expect 2 "read: -2 reads every file twice, and '-' cannot be read twice" -- read -2 -
expect 2 "Try 'netscope read --help'" -- read --two-pass "$cap" -
mkfifo "$TMP/fifo"
expect 2 "'$TMP/fifo' cannot be read twice" -- read -2 "$TMP/fifo"
expect 0 '^  -2, --two-pass' -- read --help
expect 1 "^netscope: cannot open '$TMP/missing.pcap': No such file or directory$" -- read -2 "$TMP/missing.pcap"
expect 1 "^netscope: error reading '$TMP/cut.pcap': .*truncated" -- read -2 "$TMP/cut.pcap"
check "-2: a read error is reported once" test "$(grep -c 'error reading' "$TMP/err")" = 1
dns=$PCAPS/dns-tcp.pcap
for f in "$dns" "$cap" "$PCAPS/tcp-http-keepalive.pcap"; do
	check "-2: the same lines as one pass ($(basename "$f"))" \
		cmp -s <("$NS" read "$f" 2>&1) <("$NS" read -2 "$f" 2>&1)
done
# (-c 3: one query left unanswered; pass 1 must not count it again)
expect 0 '^netscope: DNS: 1 of 2 queries never answered$' -- read -2 -c 3 -q --conversations "$PCAPS/dns-udp.pcap"
check "-2: DNS counts are those of one pass" cmp -s "$TMP/err" \
	<("$NS" read -c 3 -q --conversations "$PCAPS/dns-udp.pcap" 2>&1 >/dev/null)
# every response's dns.response_to names a query whose dns.response_in
# names it back, across two files whose numbering continues
"$NS" read -2 "$PCAPS/dns-udp.pcap" "$dns" -T fields -e frame.number \
	-e dns.response_in -e dns.response_to >"$TMP/resp"
check "-2: response_in and response_to agree" awk -F'\t' '
	$2 != "" { n = split($2, v, ","); for (i = 1; i <= n; i++) rin[$1 "," v[i]] = 1; q++ }
	$3 != "" { rto[$3 "," $1] = 1; r++ }
	END { for (k in rin) if (!(k in rto)) exit 1
	      for (k in rto) if (!(k in rin)) exit 1
	      exit !(q > 20 && r > 20) }' "$TMP/resp"
check "-2: numbering continues into the second file" \
	grep -qP '^\d+\t\d+,\d+,\d+\t$' "$TMP/resp"
check "-2 -c: the first pass stops there too" test -z \
	"$("$NS" read -2 -c 1 "$dns" -T fields -e dns.response_in | tr -d '\n')"
# --proto-descriptor: a FileDescriptorSet, or a clear error and exit 2
grpc=$PCAPS/grpc-inference.pcap
expect 2 "^netscope: --proto-descriptor: cannot read '$TMP/none.desc': No such file or directory$" -- read "$grpc" --proto-descriptor "$TMP/none.desc"
expect 2 "^netscope: --proto-descriptor: cannot read '$PCAPS/inference.proto': not a FileDescriptorSet" -- read "$grpc" --proto-descriptor "$PCAPS/inference.proto"
expect 2 "option '--proto-descriptor' needs a value" -- read "$grpc" --proto-descriptor
expect 0 '--proto-descriptor FILE' -- read --help
expect 0 '--proto-descriptor FILE' -- capture --help
expect 0 'model = "resnet" \[protobuf.field.name\]' -- read "$grpc" -v --proto-descriptor "$PCAPS/inference.desc"
# the typed fields are there for -T fields; without a set, raw as before
check "--proto-descriptor: typed field names" test "$("$NS" read "$grpc" -c 8 -T fields -e protobuf.field.name --proto-descriptor "$PCAPS/inference.desc" | tail -1 | cut -d, -f1-3)" = "model,input,max_tokens"
check "no --proto-descriptor: no field names" test -z "$("$NS" read "$grpc" -T fields -e protobuf.field.name | tr -d '\n')"
check "the one-line output does not change" cmp -s <("$NS" read "$grpc") <("$NS" read "$grpc" --proto-descriptor "$PCAPS/inference.desc")

echo "$n checks"
exit $fail
