#!/bin/bash
# pcapng of several link types (issue 17 point 2): the captures of
# tests/pcaps/make-pcapng-mixed.sh (mergecap of Ethernet, SLL2, lo and a
# tun's RAW; one dumpcap on three interfaces), which libpcap 1.10 refuses,
# read through libwiretap: every packet, per frame its interface id and
# name, link layer, addresses and ports against tshark; compressed copies
# read as the plain file; -f per link type; -w refused with its reason
# unless one link type is kept; a cut file and an unknown link type give
# the packets before the damage, then why, exit 1; stdin says why not.
. "${srcdir:-.}/tests/testlib.sh"
command -v tshark >/dev/null || {
	echo "SKIP: no tshark"
	exit 77
}
F="-e frame.number -e frame.interface_id -e frame.interface_name
-e frame.len -e frame.cap_len -e eth.src -e eth.dst -e sll.pkttype
-e sll.ifindex -e ip.src -e ip.dst -e ip.proto -e udp.srcport -e udp.dstport
-e icmp.type"
fields() { # TOOL FILE [args]: the fields above, one line a frame
	local tool=$1 file=$2
	shift 2
	if [[ $tool == ns ]]; then
		"$NS" read -T fields $F "$@" "$file"
	else
		tshark -r "$file" -T fields $F "$@" 2>/dev/null
	fi
}
for c in pcapng-mixed:21 pcapng-multi:13; do
	f=$PCAPS/${c%:*}.pcapng
	check "${c%:*}: libpcap still refuses it (else this test tests nothing)" \
		bash -c "! tcpdump -n -r '$f' >/dev/null 2>&1"
	check "${c%:*}: exit 0" "$NS" read -q "$f"
	check "${c%:*}: ${c#*:} packets, as tshark" test \
		"$("$NS" read "$f" | wc -l)" = "${c#*:}"
	check "${c%:*}: per frame interface id and name, link layer, addresses, ports as tshark" \
		cmp -s <(fields ns "$f") <(fields tshark "$f")
	for z in "gzip -c" "zstd -q -c" "lz4 -q -c"; do
		$z "$f" >"$TMP/z"
		check "${c%:*} through ${z%% *}: as the plain file" \
			cmp -s <("$NS" read -v "$f" 2>&1) <("$NS" read -v "$TMP/z" 2>&1)
	done
done
f=$PCAPS/pcapng-mixed.pcapng
check "link types: Ethernet on va and lo, SLL2 on any, RAW on tun0" test \
	"$("$NS" read -T fields -e frame.interface_name -e eth.type -e sll.etype -e raw "$f" | sort | uniq -c | tr -s ' ' | tr '\t' , | tr '\n' ' ')" = \
	" 6 any,,0x0800,  2 any,,0x0806,  2 lo,0x0800,,  3 tun0,,,Raw packet data  6 va,0x0800,,  2 va,0x0806,, "
check "display filter on the interface" test \
	"$("$NS" read -Y 'frame.interface_name == "tun0"' "$f" | wc -l)" = 3
check "-f per link type: udp on Ethernet, SLL2 and RAW alike" cmp -s \
	<("$NS" read -f udp -T fields -e frame.interface_id -e udp.dstport "$f") \
	<(tshark -r "$f" -Y 'udp && !icmp' -T fields -e frame.interface_id -e udp.dstport 2>/dev/null)
"$NS" read -f 'ether host 02:00:00:00:00:0a' "$f" >"$TMP/out" 2>"$TMP/err"
check "-f that a link type cannot take: exit 1" test $? -eq 1
check "-f that a link type cannot take: says which" grep -q \
	"^netscope: capture filter on '$f': .*(for link type LINUX_SLL2, 276)$" "$TMP/err"
check "-f that a link type cannot take: the packets before it" test "$(wc -l <"$TMP/out")" = 1

"$NS" read -q -w "$TMP/all.pcap" "$f" 2>"$TMP/err"
check "-w of several link types: exit 1" test $? -eq 1
check "-w of several link types: says so" grep -q \
	"cannot write link type LINUX_SLL2 into a file of link type EN10MB (-w writes pcap, one link type; .* keep one with -Y 'frame.interface_id == N')" "$TMP/err"
check "-w of one interface (-Y) writes it" "$NS" read -q -Y 'frame.interface_id == 0' -w "$TMP/va.pcap" "$f"
check "-w of one interface: tshark reads its 8 packets" test \
	"$(tshark -r "$TMP/va.pcap" 2>/dev/null | wc -l)" = 8

"$NS" read - <"$f" >/dev/null 2>"$TMP/err"
check "from stdin: exit 1" test $? -eq 1
check "from stdin: says why" grep -q "read from a file, not from a pipe" "$TMP/err"

# a cut file: the packets before the cut, then why
head -c 1500 "$f" >"$TMP/cut.pcapng"
"$NS" read "$TMP/cut.pcapng" >"$TMP/out" 2>"$TMP/err"
check "cut pcapng: exit 1" test $? -eq 1
check "cut pcapng: says so" grep -q \
	"^netscope: error reading '$TMP/cut.pcapng': Less data was read than was expected$" "$TMP/err"
check "cut pcapng: the packets before the cut, as tshark's" test \
	"$(wc -l <"$TMP/out")" = "$(tshark -r "$TMP/cut.pcapng" 2>/dev/null | wc -l)"

# an unknown link type: the second interface's (any) made 65000
python3 - "$f" "$TMP/unknown.pcapng" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
off, n = 0, 0
while off < len(d):
    t, l = struct.unpack_from("<II", d, off)
    if t == 1:
        n += 1
        if n == 2:
            struct.pack_into("<H", d, off + 8, 65000)
            break
    off += l
open(sys.argv[2], "wb").write(d)
PY
"$NS" read "$TMP/unknown.pcapng" >"$TMP/out" 2>"$TMP/err"
check "unknown link type: exit 1" test $? -eq 1
check "unknown link type: says which interface" grep -q \
	"^netscope: error reading '$TMP/unknown.pcapng': interface 1 (any) has a link type netscope cannot read" "$TMP/err"
check "unknown link type: the packet before it" test "$(wc -l <"$TMP/out")" = 1

# ordinary pcapng stays with libpcap: no interface fields (documented)
check "a single-link-type pcapng: no frame.interface_id (libpcap)" test \
	"$("$NS" read -T fields -e frame.interface_id "$PCAPS/pcapng-dumpcap.pcapng" | sort -u)" = ""

echo "$n checks"
exit $fail
