#!/bin/bash
# What nobody reads is not made (pay only for what is shown).  With no
# packet output, display filter or packet report the run records no
# field, except where a dissector reads its own back (TLS's handshake,
# DNS's transactions), or the fields a packet report names (-z expert);
# with packet lines alone, only what the lines read (most of IPv4's and
# IPv6's header fields, TCP's option kinds and lengths are left out).
# -z io,stat with no filter past frame.* dissects no protocol, -z
# endpoints no TCP connection or stream.  Every answer must
# stay the same: each bundled capture (with its key log) in each such
# mode is compared with the same run plus a -Y that matches every packet
# and makes every field recorded (`frame`) or every packet dissected
# (`frame or ip`).
set -u
. "${srcdir:-.}/tests/testlib.sh"

modes=("" "--conversations -q" "--calls -q" "-z expert -q"
	"-q -z grpc,srt -z http,srt -z dns,srt -z conn,timing -z sse,stat")
for cap in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	[ -f "$cap" ] || continue
	b=$(basename "$cap")
	k=()
	[ -f "${cap%%.pcap*}.keys" ] && k=(--tls-keylog "${cap%%.pcap*}.keys")
	for m in "${modes[@]}"; do
		# shellcheck disable=SC2086 # the mode is words
		TZ=UTC "$NS" read $m "${k[@]}" "$cap" >"$TMP/off" 2>&1
		# shellcheck disable=SC2086
		TZ=UTC "$NS" read $m -Y frame "${k[@]}" "$cap" >"$TMP/on" 2>&1
		check "$b $m: the same with every field recorded" \
			cmp -s "$TMP/off" "$TMP/on" ||
			diff "$TMP/off" "$TMP/on" | head -5
	done
	# -z io,stat with no filter past frame.* dissects nothing, -z
	# endpoints the headers alone (no TCP connection or stream): the
	# same tables as when every packet is dissected (a filter on ip)
	for z in "io,stat,0.01" "io,stat,0,frame.len>100,,frame.number<5" \
		endpoints,ip endpoints,ipv6 endpoints,tcp \
		"endpoints,udp,frame.len>100"; do
		"$NS" read -q -z "$z" "$cap" >"$TMP/off" 2>/dev/null
		"$NS" read -q -z "$z" -Y "frame or ip" "$cap" >"$TMP/on" \
			2>/dev/null
		check "$b -z $z: the same with every packet dissected" \
			cmp -s "$TMP/off" "$TMP/on"
	done
	# the records: TLS identities and DNS answers come from fields
	rm -f "$TMP"/r-*
	TZ=UTC "$NS" read -q "${k[@]}" --records "$TMP/r-off" "$cap" \
		>/dev/null 2>&1
	TZ=UTC "$NS" read -q -Y frame "${k[@]}" --records "$TMP/r-on" "$cap" \
		>/dev/null 2>&1
	if [ -f "$TMP/r-off" ] || [ -f "$TMP/r-on" ]; then
		check "$b --records: the same with every field recorded" \
			cmp -s "$TMP/r-off" "$TMP/r-on"
	fi
done
echo "$n checks"
exit $fail
