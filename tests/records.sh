#!/bin/bash
# Transaction records (--records, issue 19): every record type against
# tshark's reading of the same capture and the clients' and servers' own
# records (tests/records_oracle.py); payload only when asked; rotation
# with -G and -W like -w; --records - keeps standard output to the
# records; usage and runtime errors; and, as root, a live capture stopped
# by SIGINT whose records are all written.
. "${srcdir:-.}/tests/testlib.sh"
ORACLE=$(cd "${srcdir:-.}/tests" && pwd)/records_oracle.py
command -v tshark >/dev/null || {
	echo "SKIP: no tshark"
	exit 77
}

# records_vs PCAP [netscope options] -- [oracle options]
records_vs() {
	local p=$1
	shift
	local ns=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		ns+=("$1")
		shift
	done
	shift
	"$NS" read -q "$PCAPS/$p" "${ns[@]}" --records "$TMP/$p.json" &&
		python3 "$ORACLE" "$PCAPS/$p" "$TMP/$p.json" "$@"
}
for p in dns-udp dns-tcp dns-dnssec dns-truncated udp-flows tcp-ipv4-http \
	tcp-ipv6-http tcp-http-keepalive tcp-rst-client tcp-refused \
	tls13-sni-alpn tls13-hrr tls-alert tls12-rsa h2c-upgrade h2c-nghttp \
	sse-http1; do
	check "$p: records = tshark" records_vs $p.pcap --
done
check "dns-odd-port: records = tshark (DNS on 5390)" \
	records_vs dns-odd-port.pcap -- --decode udp.port==5390,dns \
	--decode tcp.port==5390,dns
for p in grpc-latency grpc-errors grpc-inference grpc-web grpc-web-http1; do
	check "$p: records = tshark and the client's calls" \
		records_vs $p.pcap -- --calls "$PCAPS/$p.calls"
done
for p in tls13-grpc-mtls tls13-h2-decrypt tls12-h2-decrypt; do
	check "$p: decrypted records = tshark and the client's calls" \
		records_vs $p.pcap --tls-keylog "$PCAPS/$p.keys" -- \
		--keys "$PCAPS/$p.keys" --calls "$PCAPS/$p.calls"
done
check "conn-timing: records = tshark" records_vs conn-timing.pcap \
	--tls-keylog "$PCAPS/conn-timing.keys" -- --keys "$PCAPS/conn-timing.keys"
for p in sse-h2 sse-http1 sse-limits; do
	check "$p: sse events = the server's" records_vs $p.pcap -- \
		--events "$PCAPS/$p.events"
done

# what a TLS record says beyond tshark's hellos: mTLS, each side's leaf
j=$TMP/tls13-grpc-mtls.pcap.json
check "tls: mTLS, subjects and SANs of both leaves" python3 -c '
import json, sys
t = [json.loads(l) for l in open(sys.argv[1]) if "\"record\":\"tls\"" in l][0]
assert t["cert_requested"] == 1 and t["client_cert"] == 1, t
assert t["subject"] == "CN=api.example.com", t
assert t["san"] == ["api.example.com", "www.example.org", "127.0.0.1"], t
assert t["client_san"] == ["spiffe://cluster.local/ns/ml/sa/inference"], t
assert t["client_id"] == "spiffe://cluster.local/ns/ml/sa/inference", t
assert t["established"] == 1 and t["hrr"] == 1, t
assert t["ja4"].startswith("t13d"), t
' "$j"
check "conn: service names what the connection carried" \
	grep -q '"record":"conn".*"service":"http2,grpc,ssl"' "$j"

# the gRPC latency is -z grpc,srt's: the same p50 per method
check "grpc: latencies give -z grpc,srt's percentiles" python3 -c '
import json, sys, math
recs = [json.loads(l) for l in open(sys.argv[1])]
srt = [json.loads(l) for l in open(sys.argv[2])][0]
for row in srt["rows"]:
    lat = sorted(r["latency"] for r in recs
                 if r["record"] == "grpc" and r["method"] == row[0])
    assert len(lat) == row[1], (row, len(lat))
    for p, col in ((0.5, 5), (0.9, 6), (0.99, 7)):
        v = lat[math.ceil(p * len(lat)) - 1]
        us = (round(v * 1e9) + 5000) // 10000  # half up to 10 us
        assert abs(us / 100 - row[col]) < 1e-9, (row[0], p, v, row[col])
' "$TMP/grpc-latency.pcap.json" <("$NS" read -q -T ndjson -z grpc,srt \
	"$PCAPS/grpc-latency.pcap")

# payload only when asked: header blocks in order, messages in base64
"$NS" read -q "$PCAPS/grpc-inference.pcap" --records "$TMP/pay.json" \
	--records-payload
tshark -r "$PCAPS/grpc-inference.pcap" -d tcp.port==50051,http2 -Y \
	'grpc.message_data' -T fields -e tcp.srcport -e grpc.message_data \
	-E occurrence=f 2>/dev/null | head -1 >"$TMP/first-msg.txt"
check "payload: headers and the first message = tshark's" python3 -c '
import base64, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
g = [r for r in recs if r["record"] == "grpc"][0]
assert ":path: /" + g["method"] in g["request_headers"], g
assert any(h.startswith(":status: ") for h in g["response_headers"]), g
assert any(h.startswith("grpc-status: ") for h in g["trailers"]), g
want = open(sys.argv[2]).read().split()[1].replace(":", "")
assert base64.b64decode(g["request_msgs"][0]).hex() == want, g
assert g["payload_truncated"] == 0
' "$TMP/pay.json" "$TMP/first-msg.txt"

# -G: a file per second of capture time (strftime names), all records
# once; with -W 1 only the first file
"$NS" read -q "$PCAPS/grpc-latency.pcap" --records "$TMP/g-%s.json" -G 1
check "-G 1: several files" test "$(ls "$TMP"/g-*.json | wc -l)" -ge 2
check "-G 1: the files hold every record once" cmp -s \
	<(cat "$TMP"/g-*.json | sort) <(sort "$TMP/grpc-latency.pcap.json")
mkdir "$TMP/w"
"$NS" read -q "$PCAPS/grpc-latency.pcap" --records "$TMP/w/g-%s.json" -G 1 -W 1
check "-G 1 -W 1: one file" test "$(ls "$TMP"/w | wc -l)" = 1

# --records -: standard output is the records; reports on stderr
"$NS" read "$PCAPS/grpc-errors.pcap" --records - -z grpc,srt --sensor n1 \
	>"$TMP/out.json" 2>"$TMP/err.txt"
check "--records -: only records on stdout" python3 -c '
import json, sys
for l in open(sys.argv[1]):
    assert json.loads(l)["sensor"] == "n1"
' "$TMP/out.json"
check "--records -: the report on stderr" grep -q '^method ' "$TMP/err.txt"
check "--sensor: default is the host name" grep -q \
	"\"sensor\":\"$(hostname)\"" "$TMP/dns-udp.pcap.json"

# errors: exit 2 for what cannot be used, 1 for what cannot be written
"$NS" read "$PCAPS/dns-udp.pcap" --sensor x >/dev/null 2>"$TMP/e1"
check "--sensor without --records: exit 2" test $? = 2
check "  says so" grep -q 'need --records' "$TMP/e1"
"$NS" read -q "$PCAPS/dns-udp.pcap" --records - -w - >/dev/null 2>"$TMP/e2"
check "--records - with -w -: exit 2" test $? = 2
cp "$PCAPS/dns-udp.pcap" "$TMP/in.pcap"
"$NS" read -q "$TMP/in.pcap" --records "$TMP/in.pcap" 2>"$TMP/e3"
check "--records onto the input: exit 1" test $? = 1
check "  says so" grep -q 'is also an input' "$TMP/e3"
check "  and the input is intact" cmp -s "$PCAPS/dns-udp.pcap" "$TMP/in.pcap"
"$NS" read -q "$PCAPS/dns-udp.pcap" --records "$TMP/none/x.json" 2>"$TMP/e4"
check "--records in a missing directory: exit 1" test $? = 1
check "  names the file" grep -q "cannot write '$TMP/none/x.json'" "$TMP/e4"
"$NS" tui -r "$PCAPS/dns-udp.pcap" --records x >/dev/null 2>&1 </dev/null
check "tui --records: exit 2" test $? = 2

# live, as root: SIGINT flushes every record (the UDP flow ends with the
# run and its conn record is written)
if [ "$(id -u)" = 0 ]; then
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.settimeout(10)
for _ in range(5):
    s.recv(100)
print("got", flush=True)
time.sleep(30)
' >"$TMP/sink.out" &
	sink=$!
	for _ in $(seq 100); do [ -s "$TMP/sink.out" ] && break; sleep 0.05; done
	port=$(head -1 "$TMP/sink.out")
	"$NS" capture -i lo -q --records "$TMP/live.json" "udp port $port" \
		2>"$TMP/live.err" &
	ns=$!
	for _ in $(seq 100); do
		grep -q 'listening on' "$TMP/live.err" && break
		sleep 0.05
	done
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"x" * 10, ("127.0.0.1", int(sys.argv[1])))
' "$port"
	for _ in $(seq 100); do grep -q got "$TMP/sink.out" && break; sleep 0.05; done
	kill -INT $ns
	wait $ns
	check "live: SIGINT exits 0" test $? = 0
	kill $sink 2>/dev/null
	check "live: the flow's conn record is written" grep -q \
		"\"record\":\"conn\".*\"id.resp_p\":$port,.*\"orig_pkts\":5," \
		"$TMP/live.json"
else
	echo "(live checks skipped: not root)"
fi

echo "records: $n checks"
exit $fail
