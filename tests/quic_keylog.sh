#!/bin/bash
# QUIC with a key log and HTTP/3 (issue 20 points 2-4) on quic-h3-keylog.pcap
# (make-quic-h3-keylog.sh: ngtcp2's example client and server over GnuTLS,
# four connections of three requests each: AES-128-GCM, ChaCha20-Poly1305,
# AES-256-GCM with a key update, and one that migrates to another client
# port), its key log, and quic-h3-dsb.pcapng (the same packets with the
# secrets in a Decryption Secrets Block):
# - every packet's QUIC fields (Handshake and 1-RTT packets decrypted,
#   frames, STREAM data, connection numbers across the migration) and the
#   HTTP/3 frames as tshark decodes them with the same key log (but for
#   two habits of tshark 4.0 that tests/h3_oracle.py explains);
# - every request the client's log records is a call in --calls with its
#   path and status (and a latency), from the key log and from the DSB;
# - --conversations: one QUIC connection per client connection, the
#   migrated one over 2 paths, each closed by the client with H3_NO_ERROR;
# - key phase 1 packets decrypt after the key update;
# - without keys, or with wrong ones: the Initial packets still decode,
#   the rest is protected or said not to decrypt, no call, exit 0.
. "${srcdir:-.}/tests/testlib.sh"
command -v tshark >/dev/null || {
	echo "SKIP: no tshark"
	exit 77
}
P=$PCAPS/quic-h3-keylog.pcap
K=$PCAPS/quic-h3-keylog.keys
TRUTH=$PCAPS/quic-h3-keylog.client
F=(-e frame.number -e quic.connection.number -e quic.header_form
	-e quic.long.packet_type -e quic.dcid -e quic.scid
	-e quic.packet_number -e quic.key_phase -e quic.spin_bit
	-e quic.frame_type -e quic.crypto.offset -e quic.crypto.length
	-e quic.stream.stream_id -e quic.stream.offset -e quic.stream.length
	-e quic.stream.fin -e quic.stream_data
	-e quic.ack.largest_acknowledged -e quic.ack.ack_delay
	-e quic.ack.first_ack_range -e quic.ack.gap -e quic.ack.ack_range
	-e quic.ack.ect0_count -e quic.ack.ect1_count -e quic.ack.ecn_ce_count
	-e quic.nci.sequence -e quic.nci.retire_prior_to
	-e quic.nci.connection_id -e quic.nci.stateless_reset_token
	-e quic.rci.sequence -e quic.path_challenge.data
	-e quic.path_response.data -e quic.ms.max_streams
	-e quic.md.maximum_data -e quic.msd.stream_id
	-e quic.msd.maximum_stream_data -e quic.nt.length -e quic.nt.token
	-e quic.cc.error_code -e quic.cc.error_code.app
	-e quic.cc.reason_phrase.length -e quic.padding_length
	-e tls.handshake.type -e tls.handshake.extensions_alpn_str
	-e tls.handshake.certificate_length)
fields() { # OUT FIELDS...: tshark's and netscope's -T fields with the key log
	local out=$1
	shift
	tshark -r "$P" -o "tls.keylog_file:$K" -T fields "$@" \
		-E occurrence=a 2>/dev/null >"$TMP/$out.t"
	"$NS" read "$P" --tls-keylog "$K" -T fields "$@" -E occurrence=a \
		>"$TMP/$out.n"
	[ -s "$TMP/$out.t" ] && cmp -s "$TMP/$out.t" "$TMP/$out.n"
}
check "every packet's QUIC and TLS fields, decrypted, as tshark's" \
	fields quic "${F[@]}"
check "HTTP/3 frames and settings as tshark's (tests/h3_oracle.py)" \
	python3 "${srcdir:-.}/tests/h3_oracle.py" "$NS" "$P" "$K"

# the client's requests: "CONN STREAM PATH STATUS" per line
calls() { # FILE ARGS...: "udp.stream-rank stream path status" of --calls
	"$NS" read "$@" --calls -q >"$TMP/calls.raw" || return 1
	grep -E '^[0-9]+ +[^ ]+ → ' "$TMP/calls.raw" |
		awk '{ print $1, $5, $8, $9 }' >"$TMP/calls"
}
truth_paths() { awk '{ print $3, $4 }' "$TRUTH" | sort; }
calls_match() { # ARGS...
	calls "$@" &&
		[ "$(awk '{ print $3, $4 }' "$TMP/calls" | sort)" = "$(truth_paths)" ] &&
		[ "$(wc -l <"$TMP/calls")" = "$(wc -l <"$TRUTH")" ]
}
check "--calls: the $(wc -l <"$TRUTH") requests of the client's log, path and status" \
	calls_match "$P" --tls-keylog "$K"
check "--calls: the same from the pcapng's Decryption Secrets Block" \
	calls_match "$PCAPS/quic-h3-dsb.pcapng"
has_latency() {
	"$NS" read "$P" --tls-keylog "$K" --calls -q |
		grep -E '^[0-9]+ +[^ ]+ → ' | grep -vcE ' [0-9]+\.[0-9]+ ms ' | grep -qx 0
}
check "--calls: every HTTP/3 call has a latency" has_latency
per_conn() { # each connection's requests in the client's order
	calls "$P" --tls-keylog "$K" &&
		[ "$(awk '{ print $1 }' "$TMP/calls" | uniq | wc -l)" = 4 ] &&
		[ "$(awk '{ print $4 }' "$TMP/calls" | tr '\n' ' ')" = \
			"$(awk '{ print $4 }' "$TRUTH" | tr '\n' ' ')" ]
}
check "--calls: three calls per connection, statuses in the client's order" \
	per_conn

conv() {
	"$NS" read "$P" --tls-keylog "$K" --conversations -q >"$TMP/conv" &&
		sed -n '/^QUIC connections: /,$p' "$TMP/conv" >"$TMP/quic"
}
conv_quic() {
	conv && grep -qx 'QUIC connections: 4' "$TMP/quic" &&
		[ "$(grep -c ' H3_NO_ERROR by client$' "$TMP/quic")" = 4 ]
}
check "--conversations: 4 QUIC connections, each closed H3_NO_ERROR by the client" \
	conv_quic
migrated() {
	conv &&
		[ "$(awk '$1 == 3 { print $5 }' "$TMP/quic")" = 2 ] &&
		[ "$(grep -c '^ *[0-3] 127' "$TMP/quic")" = 4 ]
}
check "--conversations: the migrated connection is one, over 2 paths" migrated
ciphers() {
	conv && grep -q 'TLS_AES_128_GCM_SHA256 alpn=h3' "$TMP/quic" &&
		grep -q 'TLS_CHACHA20_POLY1305_SHA256 alpn=h3' "$TMP/quic" &&
		grep -q 'TLS_AES_256_GCM_SHA384 alpn=h3' "$TMP/quic"
}
check "--conversations: each connection's suite as its client negotiated" ciphers
key_update() {
	local n
	n=$("$NS" read "$P" --tls-keylog "$K" -Y 'quic.key_phase == 1' \
		-T fields -e quic.frame_type | grep -c .)
	[ "$n" -gt 0 ] && [ "$("$NS" read "$P" --tls-keylog "$K" \
		-Y 'quic.key_phase == 1 && !quic.frame_type' | wc -l)" = 0 ]
}
check "after the key update, packets of key phase 1 decrypt" key_update

nokeys() {
	"$NS" read "$P" --calls -q >"$TMP/nokeys" &&
		grep -qx '0 calls' "$TMP/nokeys" &&
		[ "$("$NS" read "$P" -Y 'tls.handshake.type == 1' | wc -l)" = 4 ] &&
		[ "$("$NS" read "$P" -Y 'quic.short && !quic.long.packet_type && quic.frame_type' | wc -l)" = 0 ]
}
check "no key log: ClientHellos found, 1-RTT protected, no call" nokeys
wrongkeys() {
	sed -E 's/ [0-9a-f]+$/ '"$(printf '0%.0s' $(seq 64))"'/' "$K" >"$TMP/bad.keys"
	"$NS" read "$P" --tls-keylog "$TMP/bad.keys" --calls -q >"$TMP/bad" &&
		grep -qx '0 calls' "$TMP/bad" &&
		[ "$("$NS" read "$P" --tls-keylog "$TMP/bad.keys" \
			-Y quic.decryption_failed | wc -l)" -gt 0 ]
}
check "wrong keys: said not to decrypt, no call, exit 0" wrongkeys
echo "quic_keylog: $n checks"
exit $fail
