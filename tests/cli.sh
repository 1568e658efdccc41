#!/bin/bash
# CLI contract: exit status (0 ok, 1 runtime, 2 usage), error message shape
# ("netscope: <what>: <why>" plus a hint for usage errors), stdin reading,
# -c, -f, -w round trips, help and version.  Needs only the built binary
# and the bundled captures.
set -u
. "${srcdir:-.}/tests/testlib.sh"

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
# so is a pipe or a FIFO named as a file (bash's <(...)): read once, not
# rewound or scanned for pcapng secrets blocks first
"$NS" read <(cat "$cap") >"$TMP/b" 2>&1
check "read <(cat FILE) equals read FILE" cmp -s "$TMP/a" "$TMP/b"
ng=$PCAPS/pcapng-dumpcap.pcapng
check "read <(cat PCAPNG) equals read PCAPNG" cmp -s <("$NS" read "$ng" 2>&1) \
	<("$NS" read <(cat "$ng") 2>&1)
mkfifo "$TMP/named"
cat "$cap" >"$TMP/named" &
# (a second open of the FIFO would wait for a writer for ever)
timeout 20 "$NS" read "$TMP/named" >"$TMP/b" 2>&1
kill %% 2>/dev/null
wait
check "read FIFO equals read FILE" cmp -s "$TMP/a" "$TMP/b"
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

# -w never writes onto an input: the same file by any name (another
# spelling, a symbolic link, a hard link, a rotation name) is refused with
# exit 1 before anything is written, and the input is left byte for byte.
# 1530 packets, 1.2 MB: more than the 1 MiB buffers, so writing onto it
# would destroy it (tcpdump does)
loss=$PCAPS/tcp-loss-sender.pcap
"$NS" read $(for _ in 1 2 3 4 5 6 7 8 9 10; do echo "$loss"; done) -w "$TMP/in.pcap"
cp "$TMP/in.pcap" "$TMP/in.orig"
ln -s in.pcap "$TMP/in.link"
ln "$TMP/in.pcap" "$TMP/in.hard"
unchanged() { cmp -s "$TMP/in.pcap" "$TMP/in.orig"; }
in=$TMP/in.pcap
expect 1 "^netscope: -w $in: is also an input \($in\); not writing onto it$" -- read "$in" -w "$in"
check "-w onto its input: the input is unchanged" unchanged
expect 1 "^netscope: -w $TMP/./in.pcap: is also an input \($in\)" -- read "$in" -w "$TMP/./in.pcap"
expect 1 "^netscope: -w $TMP/in.link: is also an input \($in\)" -- read "$in" -w "$TMP/in.link"
expect 1 "^netscope: -w $TMP/in.hard: is also an input \($TMP/in.link\)" -- read -P "$cap" "$TMP/in.link" -w "$TMP/in.hard"
check "-w onto an input: nothing printed or read" test ! -s "$TMP/out"
expect 1 "^netscope: -w $in: is also an input \($in\)" -- read -2 -q --conversations "$in" -w "$in"
check "-w onto an input: no report either" test ! -s "$TMP/out"
(cd "$TMP" && "$NS" read in.pcap -w ./in.pcap 2>"$TMP/err")
check "-w ./X onto X: exit 1" test $? = 1
check "-w ./X onto X: names both" grep -qF -- '-w ./in.pcap: is also an input (in.pcap)' "$TMP/err"
check "after every refusal the input is unchanged" unchanged
# standard input is no file: read - <X -w X reads the old X while the new
# one is written beside it, then replaces it with the same packets
"$NS" read - -w "$in" <"$in"
check "read - <X -w X: same packets" cmp -s <("$NS" read "$in") <("$NS" read "$TMP/in.orig")
cp "$TMP/in.orig" "$in"
# rotation: the -C -W ring is known before the run; -C alone and -G names
# are tried as each file opens, before it is touched
cp "$in" "$TMP/ring1"
expect 1 "^netscope: -w $TMP/ring1: is also an input \($TMP/ring1\)" -- read "$TMP/ring1" -w "$TMP/ring" -C 1 -W 3
check "-C -W: refused before any file of the ring" test ! -e "$TMP/ring0"
cp "$in" "$TMP/size1"
expect 1 "^netscope: -w $TMP/size1: is also an input \($TMP/size1\)" -- read "$TMP/size1" -w "$TMP/size" -C 1
check "-C: the input named by the second file is unchanged" cmp -s "$TMP/size1" "$in"
expect 1 "^netscope: -w $in: is also an input \($in\)" -- read "$in" -w "$in" -G 3600
check "-G: the input is unchanged" unchanged

# -w onto an existing file goes through a temporary name beside it, renamed
# over it on success: the old file until then, its mode kept, a symbolic
# link kept; a failed run leaves it as it was
echo old >"$TMP/old.pcap"
chmod 640 "$TMP/old.pcap"
ino=$(stat -c %i "$TMP/old.pcap")
"$NS" read "$cap" -w "$TMP/old.pcap"
check "-w over a file: replaced by a new file" test "$(stat -c %i "$TMP/old.pcap")" != "$ino"
check "-w over a file: its packets" cmp -s <("$NS" read "$TMP/old.pcap") "$TMP/a"
check "-w over a file: its mode kept" test "$(stat -c %a "$TMP/old.pcap")" = 640
check "-w over a file: no temporary left" test -z "$(ls -A "$TMP" | grep '^\.old\.pcap\.')"
echo old >"$TMP/target.pcap"
ln -s target.pcap "$TMP/sym.pcap"
"$NS" read "$cap" -w "$TMP/sym.pcap"
check "-w over a symbolic link: still a link" test -L "$TMP/sym.pcap"
check "-w over a symbolic link: the file it names written" cmp -s <("$NS" read "$TMP/target.pcap") "$TMP/a"
echo old >"$TMP/kept.pcap"
expect 1 "^netscope: -w $TMP/kept.pcap: left as it was, as the run failed$" -- read "$TMP/cut.pcap" -w "$TMP/kept.pcap"
check "a failed run leaves the old file" test "$(cat "$TMP/kept.pcap")" = old
check "a failed run leaves no temporary" test -z "$(ls -A "$TMP" | grep '^\.kept\.pcap\.')"
expect 1 "^netscope: cannot open '$TMP/missing.pcap'" -- read "$TMP/missing.pcap" "$cap" -w "$TMP/kept.pcap"
check "an input that cannot be opened fails the run: old file kept" test "$(cat "$TMP/kept.pcap")" = old
"$NS" read "$TMP/cut.pcap" -w "$TMP/new.pcap" 2>/dev/null
check "a failed run keeps what it wrote to a new file" test "$("$NS" read "$TMP/new.pcap" | wc -l)" = 1
# a clean stop is a success: SIGINT while read waits on a pipe (after more
# than its 1 MiB buffer) replaces the file with what was read
mkfifo "$TMP/slow"
echo old >"$TMP/int.pcap"
"$NS" read - -w "$TMP/int.pcap" <"$TMP/slow" 2>"$TMP/err" &
pid=$!
exec 3>"$TMP/slow"
head -c 1100000 "$in" >&3
for _ in $(seq 200); do
	ls -A "$TMP" | grep -q '^\.int\.pcap\.' && break
	sleep 0.05
done
check "while it runs, the old file is still there" test "$(cat "$TMP/int.pcap")" = old
kill -INT "$pid"
wait "$pid"
rc=$?
exec 3>&-
check "SIGINT: exit 0" test "$rc" = 0
check "SIGINT: the file replaced by the packets read" test "$("$NS" read "$TMP/int.pcap" | wc -l)" -gt 1000
check "SIGINT: no temporary left" test -z "$(ls -A "$TMP" | grep '^\.int\.pcap\.')"

# temporary files (--conversations, --calls, -z follow) are made in TMPDIR;
# one that cannot be made is a runtime error naming the directory
mkdir "$TMP/tmpdir" "$TMP/nowrite"
chmod 555 "$TMP/nowrite"
check "TMPDIR: a fresh directory works" cmp -s \
	<(TMPDIR="$TMP/tmpdir" "$NS" read "$cap" --conversations 2>&1) \
	<("$NS" read "$cap" --conversations 2>&1)
check "TMPDIR: nothing left in it" test -z "$(ls -A "$TMP/tmpdir")"
# root writes anywhere: without the capabilities that let it
asuser=()
if [ "$(id -u)" = 0 ]; then
	asuser=(setpriv --bounding-set -dac_override,-dac_read_search,-fowner --)
	command -v setpriv >/dev/null || asuser=()
fi
if [ "$(id -u)" != 0 ] || [ ${#asuser[@]} -gt 0 ]; then
	TMPDIR="$TMP/nowrite" "${asuser[@]}" "$NS" read "$cap" --conversations >"$TMP/out" 2>"$TMP/err"
	check "TMPDIR not writable: exit 1" test $? = 1
	check "TMPDIR not writable: the message" grep -qx \
		"netscope: cannot create a temporary file in '$TMP/nowrite': Permission denied" "$TMP/err"
fi
for r in --conversations --calls "-z follow,tcp,ascii,0"; do
	# shellcheck disable=SC2086
	TMPDIR="$TMP/none" "$NS" read "$cap" $r >/dev/null 2>"$TMP/err"
	check "TMPDIR missing, $r: exit 1" test $? = 1
	check "TMPDIR missing, $r: the message" grep -qx \
		"netscope: cannot create a temporary file in '$TMP/none': No such file or directory" "$TMP/err"
done

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

# a pcapng block timestamp past what int64 nanoseconds hold (found by
# fuzz/fuzz_read): held at the year-2115 bound, never an overflow
python3 - "$TMP/huge-ts.pcapng" <<'PYEOF'
import struct, sys
def block(t, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", t, n) + body + struct.pack("<I", n)
shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
idb = block(1, struct.pack("<HHI", 1, 0, 65535))
pkt = b"\xff" * 6 + b"\x02" * 6 + b"\x88\xb5" + b"x" * 20
epb = block(6, struct.pack("<IIIII", 0, 0xFFFFFFFF, 0xFFFFFFFF, len(pkt), len(pkt)) + pkt)
open(sys.argv[1], "wb").write(shb + idb + epb + epb)
PYEOF
check "malformed: a timestamp past 2115 reads" test "$("$NS" read "$TMP/huge-ts.pcapng" -T fields -e frame.number -e frame.time_relative 2>/dev/null | tr '\t\n' ' ')" = "1 0.000000000 2 0.000000000 "

# tcpdump's habits: no command with -r reads, -D lists, else capture
check "-r without a command reads" cmp -s <("$NS" read "$cap") <("$NS" -r "$cap")
check "-nr FILE reads (a cluster of short options)" cmp -s <("$NS" read -c 2 "$cap") <("$NS" -c 2 -nr "$cap")
check "--read-file=FILE reads" cmp -s <("$NS" read "$cap" -q --conversations) <("$NS" -q --read-file="$cap" --conversations)
check "-nr FILE words: the words are a BPF filter, as tcpdump" cmp -s \
	<("$NS" read -f 'tcp port 20080 and tcp[13] & 2 != 0' "$cap") <("$NS" -nr "$cap" tcp port 20080 and 'tcp[13] & 2 != 0')
check "-c 3 -r: the value of -c is not taken for a file" test "$("$NS" -c 3 -r "$cap" | wc -l)" = 3
expect 0 'lo' -- -D
expect 1 "^netscope: cannot open interface 'nosuch0': No such device exists$" -- -i nosuch0 -c 1
expect 2 "read: option '-r' needs a value" -- -c 1 -r
expect 2 "the commands: capture, read, summary, tui, interfaces, fields, filter-check" -- frobnicate
# a misspelt -e field gets a suggestion, as -Y does
expect 2 "-e: unknown field 'dns.qry.nme' \(did you mean dns.qry.name\?\)" -- read "$cap" -T fields -e dns.qry.nme
# tui -Y bad is a usage error like read -Y bad, before any screen
expect 2 "^netscope: filter: column" -- tui -r "$cap" -Y 'tcp.port =='
# reports stay out of machine output: stdout parses, stderr has them
"$NS" read "$grpc" -T ndjson --calls --conversations >"$TMP/nd" 2>"$TMP/nd.err"
check "-T ndjson --calls: stdout is JSON lines only" python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    json.loads(line)
    n += 1
sys.exit(n == 0)' "$TMP/nd"
check "-T ndjson --calls: the reports on stderr" grep -q "HTTP/2, HTTP/3, gRPC and SSE calls" "$TMP/nd.err"
check "-T fields --conversations: stdout is the columns only" test \
	"$("$NS" read "$grpc" -T fields -e frame.number --conversations 2>/dev/null | grep -vc '^[0-9]*$')" = 0
check "-w - --calls: stdout is a pcap tshark reads" sh -c \
	"'$NS' read '$grpc' -w - --calls 2>/dev/null | tshark -r - -c 1 >/dev/null 2>&1"
check "text --calls: the report on stdout" grep -q "HTTP/2, HTTP/3, gRPC and SSE calls" \
	<("$NS" read "$grpc" --calls 2>/dev/null)
check "-l: the same lines" cmp -s <("$NS" read "$cap") <("$NS" read -l "$cap")

echo "$n checks"
exit $fail
