#!/bin/bash
# The public captures (../shared/corpus, or the directory given): nothing
# may crash, hang or trip a sanitizer (run it with a --enable-sanitizers
# build to check the last), and addresses, ports, TCP flags and lengths must
# agree with tshark for at least 99.5% of packets; in the captures where
# tshark finds DNS, the DNS fields of the oracle (tests/oracle.sh) must
# agree for at least 99% of the DNS messages, and so must dns.response_in
# when both tools read twice (-2); in the captures where tshark finds a
# tunnel or link layer netscope decodes (VXLAN, GRE, ERSPAN, Geneve, MPLS,
# PPPoE, PPP, GTP-U, LLC, 802.11, radiotap), every field of those
# (tests/tunnel_fields.sh) must agree for at least 99% of the packets.
# (FDDI, which netscope does not decode, is left out of that selection.)
#
#   tests/corpus.sh [CORPUS_DIR]        (make check-corpus)
set -u
NS=${NETSCOPE:-./netscope}
SRC=$(cd "$(dirname "$0")" && pwd)
DIR=${1:-$SRC/../../shared/corpus}
[ -d "$DIR" ] || { echo "SKIP: no corpus at $DIR"; exit 77; }
files=$(find "$DIR" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)
fail=0
n=0
for f in $files; do
	n=$((n + 1))
	timeout 60 "$NS" read -v -x "$f" >/dev/null 2>/tmp/corpus.$$.err
	rc=$?
	if [ $rc -gt 1 ] || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' /tmp/corpus.$$.err; then
		echo "FAIL: $f: exit $rc"
		head -20 /tmp/corpus.$$.err
		fail=1
	fi
done
rm -f /tmp/corpus.$$.err
echo "$n captures read, crashes/hangs/sanitizer reports: $fail"
if command -v tshark >/dev/null; then
	# shellcheck disable=SC2086
	python3 "$SRC/oracle.py" --show 0 --min 99.5 "$NS" $files | tail -15 || fail=1
	# (-c 1 would stop at the first packet read, DNS or not)
	dnsfiles=()
	for f in $files; do
		if [ -n "$(timeout 60 tshark -r "$f" -Y dns 2>/dev/null | head -1)" ]; then
			dnsfiles+=("$f")
		fi
	done
	DNSF=$(sed -n 's/^DNSF=\$DNSF,//p; s/^DNSF=\(dns\.id.*\)/\1/p' "$SRC/oracle.sh" | paste -sd,)
	echo "== DNS: ${#dnsfiles[@]} captures with DNS messages"
	python3 "$SRC/oracle.py" --show 0 --min 99 --only dns.flags \
		--fields "$DNSF" "$NS" "${dnsfiles[@]}" >/tmp/corpus.$$.dns
	rc=$?
	grep -v '^  ' /tmp/corpus.$$.dns # files that differ, and the total
	rm -f /tmp/corpus.$$.dns
	[ $rc = 0 ] || fail=1
	echo "== DNS, two-pass (-2): dns.response_in"
	python3 "$SRC/oracle.py" --show 0 --min 99 --two-pass --only dns.flags \
		--tally dns.response_in --fields dns.response_in "$NS" \
		"${dnsfiles[@]}" >/tmp/corpus.$$.dns
	rc=$?
	grep -v '^  ' /tmp/corpus.$$.dns
	rm -f /tmp/corpus.$$.dns
	[ $rc = 0 ] || fail=1
	. "$SRC/tunnel_fields.sh"
	TUNY="vxlan or gre or erspan or geneve or mpls or pwethcw or pppoed"
	TUNY="($TUNY or pppoes or ppp or gtp or llc or wlan or radiotap) and not fddi"
	tunfiles=()
	for f in $files; do
		if [ -n "$(timeout 60 tshark -r "$f" -Y "$TUNY" 2>/dev/null | head -1)" ]; then
			tunfiles+=("$f")
		fi
	done
	echo "== tunnels and link layers: ${#tunfiles[@]} captures"
	python3 "$SRC/oracle.py" --show 0 --min 99 --fields "$TUNF" "$NS" \
		"${tunfiles[@]}" >/tmp/corpus.$$.tun
	rc=$?
	grep -v '^  ' /tmp/corpus.$$.tun
	rm -f /tmp/corpus.$$.tun
	[ $rc = 0 ] || fail=1
fi
exit $fail
