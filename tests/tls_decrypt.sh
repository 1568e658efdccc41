#!/bin/bash
# TLS decryption with a key log (tests/pcaps/make-tls-decrypt.sh made the
# captures, their key logs NAME.keys and the clients' own records
# NAME.calls): netscope's decrypted fields against tshark -o
# tls.keylog_file (record content types and handshake types, decrypted
# EncryptedExtensions and Certificate, HTTP/2 :path and :status, HTTP/1.x
# requests), -z follow,tls, --calls against curl's record, secrets inside a pcapng
# (Decryption Secrets Block), -Y, JSON, and what wrong, missing and
# malformed keys give, a lost record, and a live capture while the
# client writes its key log.
set -u
SRC=${srcdir:-.}
NS=${NETSCOPE:?}
P=$SRC/tests/pcaps
PY=${PYTHON:-python3}
fail=0
check() { # name, expected, got
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1"
		echo "  expected: $(printf %s "$2" | head -c 600)"
		echo "  got:      $(printf %s "$3" | head -c 600)"
		fail=1
	fi
}
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
TMP=$(mktemp -d)
NETNS=
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT

# fields of the packets FILTER selects, from both tools
both() { # name, filter, fields...
	local name=$1 filter=$2
	shift 2
	local e=() f
	for f in "$@"; do e+=(-e "$f"); done
	want=$(tshark -r "$P/$name.pcap" -o "tls.keylog_file:$P/$name.keys" \
		-Y "$filter" -T fields "${e[@]}" 2>/dev/null)
	got=$("$NS" read "$P/$name.pcap" --tls-keylog "$P/$name.keys" \
		-Y "$filter" -T fields "${e[@]}" 2>&1)
	[ -n "$want" ] || { echo "FAIL: tshark decrypted nothing in $name"; fail=1; }
	check "$name: $filter: $* as tshark" "$want" "$got"
}

for n in tls13-h2-decrypt tls12-h2-decrypt tls13-suites-decrypt \
	tls13-grpc-mtls tls13-resumption-decrypt tls12-cbc-decrypt; do
	both "$n" tls frame.number tls.record.content_type tls.handshake.type
	# decrypted EncryptedExtensions (TLS 1.3's ALPN) and Certificate
	both "$n" tls frame.number tls.handshake.extension.type \
		tls.handshake.extensions_alpn_str tls.handshake.certificate_length
done
for n in tls13-h2-decrypt tls12-h2-decrypt tls13-grpc-mtls; do
	both "$n" http2.headers.path frame.number http2.streamid \
		http2.headers.method http2.headers.path
	both "$n" http2.headers.status frame.number http2.headers.status
	[ "$n" = tls13-grpc-mtls ] && continue
	# every call curl made, with its status, and no other
	want=$(sort "$P/$n.calls")
	got=$("$NS" read -q --calls "$P/$n.pcap" --tls-keylog "$P/$n.keys" |
		awk '$6 == "HTTP/2" { print $8, $9 }' | sort)
	check "$n: --calls as curl's record" "$want" "$got"
	# the same, with tshark's spelling of the option
	got=$("$NS" read -q --calls "$P/$n.pcap" -o "tls.keylog_file:$P/$n.keys" |
		awk '$6 == "HTTP/2" { print $8, $9 }' | sort)
	check "$n: -o tls.keylog_file: as --tls-keylog" "$want" "$got"
done
# gRPC over mutual TLS 1.3 (make-tls13-grpc-mtls.sh): the calls as the
# client recorded them (method, status, message counts; as grpc_calls.sh)
n=tls13-grpc-mtls
check "$n: gRPC calls as the client's record" "$(sort "$P/$n.calls")" \
	"$("$NS" read "$P/$n.pcap" --tls-keylog "$P/$n.keys" --calls -q |
		sed -n 's/.* gRPC [A-Z]* \(\/[^ ]*\) \([A-Z_]*\) [0-9-]* .* req \([0-9]*\) msg [0-9]* B resp \([0-9]*\) msg .*/\1 \2 \3 \4/p' |
		sort)"
both "$n" grpc.message_length frame.number grpc.message_length
# --conversations: mutual TLS and both identities (the client's SPIFFE
# ID), once decrypted; without keys TLS 1.3 hides them
got=$("$NS" read -q --conversations "$P/$n.pcap" --tls-keylog "$P/$n.keys" |
	grep -o ' mtls server-id=[^ ]* client-id=[^ ]*')
check "$n: --conversations says mutual TLS with both identities" \
	" mtls server-id=CN=api.example.com client-id=spiffe://cluster.local/ns/ml/sa/inference" \
	"$got"
check "$n: without keys, no identities" 0 \
	"$("$NS" read -q --conversations "$P/$n.pcap" | grep -c 'mtls\|-id=')"
check "TLS 1.2 in the clear: the server's identity" 3 \
	"$("$NS" read -q --conversations "$P/tls12-rsa.pcap" |
		grep -c 'server-id=CN=api.example.com')"
# the client certificate's SPIFFE ID (a URI SAN), Wireshark's field
both "$n" x509ce.uniformResourceIdentifier frame.number \
	x509ce.uniformResourceIdentifier
check "$n: the client's certificate (mutual TLS), decrypted" \
	"CN=inference" \
	"$("$NS" read "$P/$n.pcap" --tls-keylog "$P/$n.keys" -Y 'tcp.srcport != 50443' \
		-T fields -e tls.handshake.certificate.subject | grep .)"

both tls13-suites-decrypt http.request frame.number http.request.method \
	http.request.uri
check "tls13-suites-decrypt: one request per s_client, as its record" \
	"$(awk '{print $1}' "$P/tls13-suites-decrypt.calls")" \
	"$("$NS" read "$P/tls13-suites-decrypt.pcap" \
		--tls-keylog "$P/tls13-suites-decrypt.keys" -Y http.request \
		-T fields -e http.request.uri)"
# TLS 1.2 AES-CBC with HMAC (make-tls12-cbc-decrypt.sh): encrypt then MAC
# with SHA-256, MAC then encrypt with SHA-1 and with SHA-384
both tls12-cbc-decrypt http.request frame.number http.request.method \
	http.request.uri
both tls12-cbc-decrypt 'tls.record.content_type == 23' frame.number \
	tls.record.length
check "tls12-cbc-decrypt: one request per s_client, as its record" \
	"$(awk '{print $1}' "$P/tls12-cbc-decrypt.calls")" \
	"$("$NS" read "$P/tls12-cbc-decrypt.pcap" \
		--tls-keylog "$P/tls12-cbc-decrypt.keys" -Y http.request \
		-T fields -e http.request.uri)"
check "tls12-cbc-decrypt: every record decrypted (none failed)" 0 \
	"$("$NS" read "$P/tls12-cbc-decrypt.pcap" \
		--tls-keylog "$P/tls12-cbc-decrypt.keys" \
		-Y 'tls.decryption_failed || tls.decryption_note' | wc -l)"
check "tls12-cbc-decrypt: a wrong key fails every record, never a guess" \
	"$("$NS" read "$P/tls12-cbc-decrypt.pcap" \
		--tls-keylog "$P/tls12-cbc-decrypt.keys" -Y tls.decrypted \
		-T fields -e frame.number | wc -l)" \
	"$("$NS" read "$P/tls12-cbc-decrypt.pcap" --tls-keylog \
		<(awk '{ s = $3; gsub(/./, "0", s); print $1, $2, s }' \
			"$P/tls12-cbc-decrypt.keys") \
		-Y tls.decryption_failed -T fields -e frame.number | wc -l)"
# PSK resumption: the second connection resumes the first's session (a
# pre_shared_key in its hellos, no Certificate) and decrypts the same
both tls13-resumption-decrypt http.request frame.number http.request.uri
check "tls13-resumption-decrypt: the client's two fetches, two 200s" \
	"$(awk '{print $2}' "$P/tls13-resumption-decrypt.calls")" \
	"$("$NS" read "$P/tls13-resumption-decrypt.pcap" \
		--tls-keylog "$P/tls13-resumption-decrypt.keys" \
		-Y http.response -T fields -e http.response.code)"
both tls13-resumption-decrypt 'tls.handshake.type == 1 || tls.handshake.type == 2' \
	frame.number tls.handshake.extension.type
check "tls13-resumption-decrypt: the resumed handshake has no Certificate" \
	1 "$("$NS" read "$P/tls13-resumption-decrypt.pcap" \
		--tls-keylog "$P/tls13-resumption-decrypt.keys" \
		-Y 'tls.handshake.type == 11' -T fields -e frame.number | wc -l)"

# the three suites, and the KeyUpdate before the last request
check "tls13-suites-decrypt: ChaCha20, AES-256-GCM, AES-128-GCM" \
	"$(printf '0x1303\n0x1302\n0x1301')" \
	"$("$NS" read "$P/tls13-suites-decrypt.pcap" -Y 'tls.handshake.type == 2' \
		-T fields -e tls.handshake.ciphersuite)"

# -z follow,tls: the decrypted chunks, record by record, as tshark's
# (tshark 4.0 names its nodes oddly in this mode: sides are not compared)
chunks() { grep -E '^\s*[0-9a-f]+$' | tr -d '\t'; }
for ns in tls13-h2-decrypt:0 tls12-h2-decrypt:1 tls13-suites-decrypt:2; do
	n=${ns%:*} s=${ns#*:}
	want=$(tshark -r "$P/$n.pcap" -o "tls.keylog_file:$P/$n.keys" -q \
		-z "follow,tls,raw,$s" 2>/dev/null | chunks)
	got=$("$NS" read -q "$P/$n.pcap" --tls-keylog "$P/$n.keys" \
		-z "follow,tls,raw,$s" | chunks)
	[ -n "$want" ] || { echo "FAIL: tshark followed nothing in $n"; fail=1; }
	check "$n: -z follow,tls,raw,$s as tshark's chunks" "$want" "$got"
done

# handshake time when the client sends no application data (s_client that
# quits after the handshake): ClientHello to the client's Finished, its
# first protected record, from tshark's frame times
T=$P/tls13-sni-alpn.pcap
want=$(tshark -r "$T" -Y 'tcp.stream == 1 and tls and tcp.srcport != 443' \
	-T fields -e frame.time_relative 2>/dev/null |
	awk 'NR == 1 { ch = $1 } NR == 2 { printf "handshake=%.3fms\n", ($1 - ch) * 1000 }')
got=$("$NS" read -q --conversations "$T" | grep 'TLS sni=www.example.org' |
	grep -o 'handshake=[0-9.]*ms')
check "handshake time with no application data: to the client's Finished" \
	"$want" "$got"
check "handshake time: every TLS connection has one" 3 \
	"$("$NS" read -q --conversations "$T" | grep -c 'TLS .*handshake=')"

# the key log inside a pcapng (Decryption Secrets Block): no option
D=$P/tls13-h2-dsb.pcapng
check "pcapng secrets block: --calls with no option, as curl's record" \
	"$(sort "$P/tls13-h2-decrypt.calls")" \
	"$("$NS" read -q --calls "$D" | awk '$6 == "HTTP/2" { print $8, $9 }' | sort)"
check "pcapng secrets block: HTTP/2 fields as tshark's (no option either)" \
	"$(tshark -r "$D" -Y http2.headers.path -T fields -e frame.number \
		-e http2.headers.path 2>/dev/null)" \
	"$("$NS" read "$D" -Y http2.headers.path -T fields -e frame.number \
		-e http2.headers.path 2>&1)"

# the summary line says what was decrypted
F=$P/tls13-h2-decrypt
got=$("$NS" read "$F.pcap" --tls-keylog "$F.keys" -Y http2.headers.path |
	grep -c 'HEADERS.*\[decrypted\]$')
check "decrypted layers are marked on the line" 3 "$got"
got=$("$NS" read "$F.pcap" --tls-keylog "$F.keys" -Y 'tls.decrypted > 0' \
	-T fields -e frame.number -e tls.decrypted | head -1)
check "tls.decrypted: the server's first flight, four records" \
	"$(printf '9\t15,463,80,52')" "$got"
# JSON: the http2 layer of a decrypted packet
"$NS" read "$F.pcap" --tls-keylog "$F.keys" -Y http2.headers.path -T json \
	>"$TMP/j.json"
got=$("$PY" -c 'import json,sys
p = json.load(open(sys.argv[1]))
print(sum(1 for x in p if "http2" in x["layers"]))' "$TMP/j.json")
check "JSON: three packets with an http2 layer" 3 "$got"

# without a key log: nothing decrypted, nothing said
got=$("$NS" read "$F.pcap" -Y 'http2 or tls.decryption_note' | wc -l)
check "no key log: no HTTP/2, no note" 0 "$got"
# another session's keys: said once per connection, nothing decrypted
got=$("$NS" read "$P/tls12-h2-decrypt.pcap" --tls-keylog "$F.keys" |
	grep -c '\[no key for this session\]')
check "keys of another session: 'no key for this session' once per connection" \
	2 "$got"
got=$("$NS" read "$P/tls12-h2-decrypt.pcap" --tls-keylog "$F.keys" -Y http2 |
	wc -l)
check "keys of another session: no HTTP/2" 0 "$got"
# wrong secrets: records fail to authenticate and are said so, not guessed
awk '{ if (NF == 3) { s = $3; c = substr(s, 1, 1);
	$3 = (c == "0" ? "1" : "0") substr(s, 2) } print }' "$F.keys" \
	>"$TMP/wrong.keys"
out=$("$NS" read "$F.pcap" --tls-keylog "$TMP/wrong.keys")
check "wrong secrets: records shown as failing" yes \
	"$(grep -q '\[TLS: decryption failed\]' <<<"$out" && echo yes)"
check "wrong secrets: no HTTP/2" 0 "$(grep -c 'HTTP/2' <<<"$out")"
# a malformed line: said once with its number, the rest still used
{ echo "# a comment"; echo "CLIENT_RANDOM nothex 00"; cat "$F.keys"; } \
	>"$TMP/bad.keys"
"$NS" read "$F.pcap" --tls-keylog "$TMP/bad.keys" -Y http2.headers.path \
	>"$TMP/out" 2>"$TMP/err"
check "malformed line: said once, with its line number" \
	"netscope: $TMP/bad.keys:2: the client random is not 64 hex digits; line skipped" \
	"$(cat "$TMP/err")"
check "malformed line: the other secrets still decrypt" 3 \
	"$(wc -l <"$TMP/out")"
# a record lost from the capture (frame 17, the server's first response):
# the next record is found at its sequence number, decryption goes on
if command -v editcap >/dev/null; then
	editcap "$F.pcap" "$TMP/gap.pcap" 17 2>/dev/null
	check "lost record: the sequence is found again, said once" \
		"bytes lost: record sequence found again" \
		"$("$NS" read "$TMP/gap.pcap" --tls-keylog "$F.keys" \
			-Y tls.decryption_note -T fields -e tls.decryption_note)"
	check "lost record: the later responses still decrypted" \
		"$(printf '/data.txt 200\n/missing 404')" \
		"$("$NS" read -q --calls "$TMP/gap.pcap" --tls-keylog "$F.keys" |
			awk '$6 == "HTTP/2" && $9 != "-" { print $8, $9 }')"
fi
# netscope capture on the namespace's lo into DIR/out and DIR/err, back
# once it listens; its pid in $cap
capture_in_ns() { # dir, capture's options and filter
	local d=$1 i
	shift
	ip netns exec "$NETNS" "$NS" capture -i lo "$@" >"$d/out" 2>"$d/err" &
	cap=$!
	PIDS+=("$cap")
	for i in $(seq 100); do
		grep -q 'listening on' "$d/err" && break
		sleep 0.05
	done
}

# live capture while the client writes its key log (root, a private
# network namespace): the secrets are picked up as they are appended,
# after the packets they decrypt were captured
live() {
	local d=$TMP/live i
	mkdir -p "$d/www"
	printf 'hello\n' >"$d/www/index.html"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/k.pem" -out "$d/c.pem" -days 2 -subj /CN=live \
		2>/dev/null || return 1
	NETNS=nstlsdec$$
	ip netns add "$NETNS" && ip netns exec "$NETNS" ip link set lo up ||
		return 1
	ip netns exec "$NETNS" nghttpd -d "$d/www" 8443 "$d/k.pem" "$d/c.pem" \
		>/dev/null 2>&1 &
	PIDS+=($!)
	for i in $(seq 100); do
		ip netns exec "$NETNS" ss -Hltn 'sport = :8443' | grep -q . && break
		sleep 0.05
	done
	local cap
	capture_in_ns "$d" --calls --tls-keylog "$d/keys" tcp port 8443
	ip netns exec "$NETNS" env SSLKEYLOGFILE="$d/keys" curl -sSk --http2 \
		--tlsv1.3 -o /dev/null -o /dev/null https://127.0.0.1:8443/ \
		https://127.0.0.1:8443/missing || return 1
	sleep 0.5
	kill -INT "$cap"
	wait "$cap"
	awk '$5 ~ /^s=/ && $6 == "HTTP/2" { print $8, $9 }' "$d/out" >"$d/calls"
}
# live, the order a client may write in: its application secret comes
# once its Finished is out, here after netscope dissected it.  The
# capture's frames are sent onto lo (to another MAC: the kernel drops
# them, the capture sees them), the last key line appended after frame 10
# (the client's Finished); frame 14 is the client's first HTTP/2.
late_ap() {
	local d=$TMP/late
	mkdir -p "$d"
	grep -v '^CLIENT_TRAFFIC_SECRET_0 ' "$P/tls13-h2-decrypt.keys" >"$d/keys"
	local cap
	capture_in_ns "$d" --tls-keylog "$d/keys" tcp port 8443
	send() { # first, last frame
		ip netns exec "$NETNS" "$PY" - "$P/tls13-h2-decrypt.pcap" "$1" "$2" <<'PY'
import socket, struct, sys
f = open(sys.argv[1], "rb")
f.read(24)
first, last, n = int(sys.argv[2]), int(sys.argv[3]), 0
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("lo", 0))
while True:
    h = f.read(16)
    if len(h) < 16:
        break
    caplen = struct.unpack("<IIII", h)[2]
    frame = f.read(caplen)
    n += 1
    if first <= n <= last:
        s.send(b"\x02\0\0\0\0\x01" + frame[6:])
PY
	}
	send 1 10 || return 1
	sleep 0.5
	grep '^CLIENT_TRAFFIC_SECRET_0 ' "$P/tls13-h2-decrypt.keys" >>"$d/keys"
	send 11 100000 || return 1
	sleep 0.5
	kill -INT "$cap"
	wait "$cap"
}
# (not in $(…): the namespace and the server are the parent's to clean)
if [ "$(id -u)" = 0 ] && command -v nghttpd >/dev/null &&
	command -v ip >/dev/null; then
	live
	check "live: a key log written during the capture decrypts it" \
		"$(printf '/ 200\n/missing 404')" "$(cat "$TMP/live/calls" 2>/dev/null)"
	check "live: decrypted packets shown as such" yes \
		"$(grep -q 'HEADERS s=1 GET / ES \[decrypted\]' "$TMP/live/out" && echo yes)"
	late_ap
	check "live: the client's application secret written after its Finished was captured" \
		"Magic, SETTINGS" \
		"$(awk '$1 == 14 { print $8, $9 }' "$TMP/late/out")"
else
	echo "skip: live key log (needs root, nghttpd, ip)"
fi

# a key log that cannot be read is a usage error
"$NS" read "$F.pcap" --tls-keylog "$TMP/none" >/dev/null 2>"$TMP/err"
check "unreadable key log: exit 2" 2 "$?"
"$NS" read "$F.pcap" -o foo.bar:1 >/dev/null 2>&1
check "-o with another preference: exit 2" 2 "$?"
exit $fail
