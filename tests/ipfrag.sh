#!/bin/bash
# IP fragment reassembly against tshark (the oracle), one pass and -2:
# every reassembly field the two share (ip.fragment, ip.fragment.count,
# ip.reassembled.length, ip.reassembled_in with -2, the overlap flags, and
# the IPv6 ones) and what the reassembled datagrams carry (UDP, DNS, ICMP)
# on the real captures (ping over a veth, knotd's DNS answers fragmented
# over IPv4 and IPv6) and the hand-made attack of malformed-frag-overlap
# (out of order, duplicate, conflicting overlap, two tails).
# malformed-frag-toolong and -flood are checked for what netscope does
# on purpose and tshark does not: a refusal, the caps and the timeout.
set -u
NS=${NETSCOPE:-./netscope}
SRC=${srcdir:-.}
P=$SRC/tests/pcaps
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
F="frame.number ip.reassembled_in ip.fragment ip.fragment.count
ip.reassembled.length ip.fragment.overlap ip.fragment.overlap.conflict
ip.fragment.multipletails ipv6.reassembled.in ipv6.fragment
ipv6.fragment.count ipv6.reassembled.length ipv6.fragment.overlap
ipv6.fragment.overlap.conflict udp.srcport udp.dstport udp.length dns.id
dns.flags.response dns.qry.name dns.qry.type dns.count.answers
dns.resp.type dns.txt dns.resp.len dns.rr.udp_payload_size icmp.type
icmp.seq icmpv6.type icmpv6.echo.sequence_number"
fields() { # CAPTURE: the -e options
	local f
	E=()
	for f in $F; do
		# tshark's -T fields leaves out the frame of a fragment that has
		# overlap flags under it (its tree lists it, as netscope does)
		if [[ $1 == malformed-* && $f == ip*.fragment ]]; then continue; fi
		E+=(-e "$f")
	done
}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0 values=0
for c in ipv4-fragments ipv6-fragments dns-ipv4-fragments \
	dns-ipv6-fragments malformed-frag-overlap; do
	fields "$c"
	for two in "" -2; do
		tshark $two -r "$P/$c.pcap" -T fields "${E[@]}" >"$tmp/t" 2>/dev/null
		"$NS" read $two "$P/$c.pcap" -T fields "${E[@]}" >"$tmp/n" 2>"$tmp/err"
		n=$(tr '\t' '\n' <"$tmp/t" | grep -c .)
		if cmp -s "$tmp/t" "$tmp/n"; then
			values=$((values + n))
		else
			echo "FAIL $c ${two:-(one pass)}: differs from tshark"
			diff "$tmp/t" "$tmp/n" | head -10
			fail=1
		fi
	done
done
echo "ipfrag: $values values identical to tshark's"

# the DNS answers in fragments are found (2 of 2 per capture)
for v in 4 6; do
	got=$("$NS" read "$P/dns-ipv$v-fragments.pcap" -Y 'dns.flags.response == 1 && dns.txt' 2>/dev/null | wc -l)
	[ "$got" = 2 ] || { echo "FAIL dns-ipv$v-fragments: $got TXT answers, want 2"; fail=1; }
done

# what is bounded on purpose
out=$("$NS" read "$P/malformed-frag-toolong.pcap" 2>&1)
echo "$out" | grep -q 'fragment ends at byte 65628, past the largest datagram (65515 bytes)' ||
	{ echo "FAIL toolong IPv4: $out"; fail=1; }
echo "$out" | grep -q 'UDP 78 Len=100' || { echo "FAIL toolong: the datagram after"; fail=1; }
err=$("$NS" read "$P/malformed-frag-flood.pcap" 2>&1 >/dev/null)
want='netscope: IP fragments: 2401 taken, 1 datagrams reassembled, 1 incomplete at the end, 1024 expired (30 s IPv4, 60 s IPv6), 78 evicted at the caps (1024 datagrams, 4096 KiB), 1 refused (0 past 65535 bytes); 0 overlapping (0 with other bytes)'
[ "$err" = "$want" ] || { echo "FAIL flood line: $err"; fail=1; }
"$NS" read -2 "$P/malformed-frag-flood.pcap" -T fields -e ip.reassembled.length >/dev/null 2>&1 ||
	{ echo "FAIL flood -2"; fail=1; }
exit $fail
