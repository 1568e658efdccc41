#!/bin/bash
# -z io,stat, -z endpoints and -z expert against tshark 4.0's on the
# bundled captures (tests/stats_oracle.py compares the text tables), their
# JSON form (-T json -q: one parseable object per table), the usage
# errors, and the bound on io,stat's rows.  Needs tshark.
set -u
. "${srcdir:-.}/tests/testlib.sh"
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
ORACLE="${srcdir:-.}/tests/stats_oracle.py"

# ---- io,stat ---------------------------------------------------------------
# Frames and bytes of every interval and every filter column, and the
# interval column as printed.  Intervals 0.01, 0.1, 1 and 0 (the whole
# capture); filters both tools decode alike (frame.*, ip, tcp, udp, dns),
# an empty column (every frame) among them.  Not compared: an interval
# like "2.0" (tshark 4.0 divides by zero on some captures), and a capture
# whose last frame falls exactly on an interval's end (tshark 4.0 drops
# that frame; netscope counts it in the last row), which none of these is.
IO_CAPS="grpc-errors.pcap dns-udp.pcap tcp-loss-sender.pcap udp-flows.pcap
	tcp-keepalive.pcap icmpv6-unreachable.pcap ipv4-fragments.pcap
	sll2-any.pcap pcapng-dumpcap.pcapng arp-ndp-veth.pcap"
for b in $IO_CAPS; do
	for iv in 0.01 0.1 1 0; do
		for flt in "" ",tcp,udp,frame.len>200" ",ip,,dns"; do
			"$NS" read -q -z "io,stat,$iv$flt" "$PCAPS/$b" \
				>"$TMP/n" 2>/dev/null
			tshark -q -r "$PCAPS/$b" -z "io,stat,$iv$flt" \
				>"$TMP/t" 2>/dev/null
			check "$b io,stat,$iv$flt: as tshark" \
				python3 "$ORACLE" io "$TMP/n" "$TMP/t"
		done
	done
done

# a filter with commas inside is one column
"$NS" read -q -z 'io,stat,0.1,ip.addr in {127.0.0.1, 10.0.0.1},tcp' \
	"$PCAPS/grpc-errors.pcap" >"$TMP/n" 2>/dev/null
check "io,stat: a filter holding a comma is one column" \
	grep -q '^| *2: tcp ' "$TMP/n"

# JSON: one object, the same numbers as the text
"$NS" read -q -T json -z io,stat,0.1,tcp,,udp "$PCAPS/dns-udp.pcap" \
	>"$TMP/j" 2>/dev/null
"$NS" read -q -z io,stat,0.1,tcp,,udp "$PCAPS/dns-udp.pcap" >"$TMP/n" \
	2>/dev/null
check "io,stat -T json: one object, the text's numbers" python3 - \
	"$TMP/j" "$TMP/n" <<'PYEOF'
import json, re, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
d = json.loads(lines[0])
assert len(lines) == 1 and d["table"] == "io,stat", lines
assert d["columns"][:4] == ["from", "to", "frames_1", "bytes_1"], d
text = []
for l in open(sys.argv[2]):
    if "<>" in l:
        text.append([int(x) for x in re.findall(r"\d+", l.split("|", 2)[2])])
assert [r[2:] for r in d["rows"]] == text, (d["rows"], text)
assert d["rows"][1][:2] == [100.0, 200.0], d["rows"][1]
PYEOF

# bounded: 1 µs intervals over 3.5 s keep the newest 100000 rows and
# say how much was left out; nothing is lost from the totals
"$NS" read -q -z io,stat,0.000001 "$PCAPS/tcp-keepalive.pcap" >"$TMP/n" \
	2>/dev/null
check "io,stat: at most 100000 rows, the rest said" python3 - "$TMP/n" \
	"$(tshark -r "$PCAPS/tcp-keepalive.pcap" 2>/dev/null | wc -l)" <<'PYEOF'
import re, sys
rows = [l for l in open(sys.argv[1]) if "<>" in l]
shown = sum(int(l.split("|")[2]) for l in rows)
m = re.search(r"the first (\d+) intervals are not shown .* col 1 (\d+) frames",
              open(sys.argv[1]).read())
assert m and len(rows) <= 100000, len(rows)
assert shown + int(m.group(2)) == int(sys.argv[2]), (shown, m.group(2))
PYEOF

# usage errors name what is wrong (exit 2)
for bad in "io,stat" "io,stat,abc" "io,stat,-1" "io,stat,0.0000001" \
	"io,stat,0.1," "io,stat,0.1,tcp,no.such.field"; do
	"$NS" read -q -z "$bad" "$PCAPS/dns-udp.pcap" >/dev/null 2>"$TMP/e"
	check "-z $bad: a usage error" test $? = 2
done
check "a bad filter is named" grep -q "bad filter 'no.such.field'" "$TMP/e"

# ---- endpoints ---------------------------------------------------------------
# Every row's address, port and six numbers, in tshark's order (most
# packets first, ties in the order first seen), for ip, ipv6, tcp and udp
# on every bundled capture (tunnels, ICMP errors quoting headers,
# fragments, a snaplen that cuts TCP headers, loopback where source and
# destination are one endpoint), and with a display filter.
for cap in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	b=$(basename "$cap")
	z="-z endpoints,ip -z endpoints,ipv6 -z endpoints,tcp -z endpoints,udp"
	# shellcheck disable=SC2086
	"$NS" read -q $z "$cap" >"$TMP/n" 2>/dev/null
	# shellcheck disable=SC2086
	tshark -q -r "$cap" $z >"$TMP/t" 2>/dev/null
	check "$b endpoints,ip|ipv6|tcp|udp: as tshark" \
		python3 "$ORACLE" endpoints "$TMP/n" "$TMP/t"
done
for f in "tcp.flags.syn==1" "frame.len>100"; do
	cap=$PCAPS/tcp-loss-sender.pcap
	"$NS" read -q -z "endpoints,tcp,$f" "$cap" >"$TMP/n" 2>/dev/null
	tshark -q -r "$cap" -z "endpoints,tcp,$f" >"$TMP/t" 2>/dev/null
	check "endpoints,tcp,$f: as tshark, the filter shown" sh -c \
		"python3 '$ORACLE' endpoints '$TMP/n' '$TMP/t' &&
		grep -q 'Filter:$f' '$TMP/n'"
done
"$NS" read -q -z endpoints,tcp,no.such.field "$PCAPS/dns-udp.pcap" \
	>/dev/null 2>"$TMP/e"
check "endpoints with a bad filter: a usage error naming it" sh -c \
	"test $? = 2 && grep -q \"bad filter 'no.such.field'\" '$TMP/e'"

# JSON: one object per table, in the registry's order, the text's numbers
"$NS" read -q -T json -z endpoints,udp -z endpoints,ip \
	"$PCAPS/udp-flows.pcap" >"$TMP/j" 2>/dev/null
"$NS" read -q -z endpoints,udp "$PCAPS/udp-flows.pcap" >"$TMP/n" 2>/dev/null
check "endpoints -T json: one object per table" python3 - "$TMP/j" \
	"$TMP/n" <<'PYEOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert [d["table"] for d in lines] == ["endpoints,ip", "endpoints,udp"], lines
udp = lines[1]
assert udp["columns"][:3] == ["address", "port", "packets"], udp
text = [l.split() for l in open(sys.argv[2])
        if len(l.split()) == 8 and l.split()[-1].isdigit()]
assert [[str(x) for x in r] for r in udp["rows"]] == text, (udp, text)
PYEOF

# bounded: 100005 sources, at most 100000 rows; the rest in "(other)"
python3 - "$TMP/many.pcap" <<'PYEOF'
import struct, sys
out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101)]
for i in range(100005):
    src = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
    p = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0, src,
                    bytes([192, 0, 2, 1])) + struct.pack("!HHHH", 5000, 53, 8, 0)
    out.append(struct.pack("<IIII", 1700000000, i, len(p), len(p)) + p)
open(sys.argv[1], "wb").write(b"".join(out))
PYEOF
"$NS" read -q -z endpoints,ip "$TMP/many.pcap" >"$TMP/n" 2>/dev/null
check "endpoints: at most 100000 rows, then (other), said" sh -c \
	"test \$(grep -c '^[0-9]' '$TMP/n') = 100000 &&
	grep -q '^(other) *6 ' '$TMP/n' &&
	grep -q 'endpoints past the first 100000' '$TMP/n'"

# ---- the list of statistics --------------------------------------------------
"$NS" read -q -z nope "$PCAPS/dns-udp.pcap" >/dev/null 2>"$TMP/e"
check "-z nope: a usage error" test $? = 2
for name in "io,stat,INTERVAL" "endpoints,ip|ipv6|tcp|udp"; do
	check "-z nope lists $name" grep -q -- "$name" "$TMP/e"
done

echo "$n checks"
exit $fail
