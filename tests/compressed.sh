#!/bin/bash
# Compressed captures (issue 17 point 1): gzip, zstd and lz4 files, known
# by their first bytes whatever their name, from a file and from stdin,
# pcap and pcapng, read exactly as the file they hold (netscope's own
# output on the uncompressed file is the reference, tshark's packet count
# the oracle); several gzip members or zstd frames one after the other; a
# cut or damaged file gives its packets up to the damage, then a message
# that names the compressor and where, and exit 1.
. "${srcdir:-.}/tests/testlib.sh"
for t in gzip zstd lz4; do
	command -v $t >/dev/null || {
		echo "SKIP: no $t"
		exit 77
	}
done

same() { # FILE COMPRESSED [netscope args]: output as the plain file's
	local plain=$1 comp=$2
	shift 2
	cmp -s <("$NS" read "$@" "$plain" 2>&1) <("$NS" read "$@" "$comp" 2>&1)
}
for f in dns-udp.pcap tcp-nanosecond.pcap pcapng-dumpcap.pcapng \
	grpc-inference.pcap; do
	for c in "gzip -c" "zstd -q -c" "lz4 -q -c"; do
		z=$TMP/$f.${c%% *}
		$c "$PCAPS/$f" >"$z"
		check "$f through ${c%% *}: every line as the plain file's" \
			same "$PCAPS/$f" "$z" -v
		check "$f through ${c%% *}: the packets tshark counts" test \
			"$("$NS" read "$z" | wc -l)" = \
			"$(tshark -r "$z" 2>/dev/null | wc -l)"
	done
done
z=$TMP/grpc-inference.pcap.gzip
check "no name needed: a compressed file called x.pcap" bash -c \
	"cp '$z' '$TMP/x.pcap' && cmp -s <('$NS' read '$TMP/x.pcap') <('$NS' read '$PCAPS/grpc-inference.pcap')"
check "from stdin" bash -c "'$NS' read - <'$TMP/dns-udp.pcap.zstd' | cmp -s - <('$NS' read '$PCAPS/dns-udp.pcap')"
check "two passes (-2) and reports on a compressed file" same \
	"$PCAPS/grpc-inference.pcap" "$z" -2 --calls --conversations
check "-w from a compressed file writes the capture inside" bash -c \
	"'$NS' read -q '$TMP/dns-udp.pcap.lz4' -w '$TMP/out.pcap' && cmp -s <('$NS' read '$TMP/out.pcap') <('$NS' read '$PCAPS/dns-udp.pcap')"

# members and frames one after the other
(gzip -c "$PCAPS/dns-udp.pcap"; gzip -c /dev/null) >"$TMP/two.gz"
check "gzip: a second (empty) member" same "$PCAPS/dns-udp.pcap" "$TMP/two.gz"
head -c 3000 "$PCAPS/dns-udp.pcap" >"$TMP/head"
tail -c +3001 "$PCAPS/dns-udp.pcap" >"$TMP/tail"
(zstd -q -c "$TMP/head"; zstd -q -c "$TMP/tail") >"$TMP/two.zst"
check "zstd: a capture split over two frames" same "$PCAPS/dns-udp.pcap" "$TMP/two.zst"
(lz4 -q -c "$TMP/head"; lz4 -q -c "$TMP/tail") >"$TMP/two.lz4"
check "lz4: a capture split over two frames" same "$PCAPS/dns-udp.pcap" "$TMP/two.lz4"

# damage: the packets before it, then why, exit 1
gzip -c "$PCAPS/grpc-inference.pcap" | head -c 2500 >"$TMP/cut.gz"
"$NS" read "$TMP/cut.gz" >"$TMP/out" 2>"$TMP/err"
check "cut gzip: exit 1" test $? -eq 1
check "cut gzip: says so, and where" grep -q \
	"^netscope: error reading '$TMP/cut.gz': gzip: unexpected end of file (at compressed byte 2500)$" "$TMP/err"
check "cut gzip: the packets before the cut, as tshark's" test \
	"$(wc -l <"$TMP/out")" = "$(tshark -r "$TMP/cut.gz" 2>/dev/null | wc -l)"
zstd -q -c "$PCAPS/grpc-inference.pcap" | head -c 1000 >"$TMP/cut.zst"
"$NS" read "$TMP/cut.zst" 2>"$TMP/err" >/dev/null
check "cut zstd before any packet: exit 1" test $? -eq 1
check "cut zstd: says so" grep -q "^netscope: cannot open '$TMP/cut.zst': zstd: unexpected end of file" "$TMP/err"
python3 -c "import sys; d = bytearray(open(sys.argv[1], 'rb').read()); d[100] ^= 0x55; open(sys.argv[2], 'wb').write(d)" \
	"$TMP/dns-udp.pcap.lz4" "$TMP/bad.lz4"
"$NS" read "$TMP/bad.lz4" >/dev/null 2>"$TMP/err"
check "damaged lz4: exit 1" test $? -eq 1
check "damaged lz4: lz4's reason" grep -q "^netscope: .*'$TMP/bad.lz4': lz4: " "$TMP/err"

echo "$n checks"
exit $fail
