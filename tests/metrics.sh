#!/bin/bash
# --metrics on a live capture of lo: while a grpcio client makes its calls
# (tests/pcaps/grpc-peers.py, the default and the error sets) and a small
# DNS client asks a small DNS server (both below, on ports the kernel
# picks; netscope finds DNS there by its heuristic), netscope serves
# /metrics; then
#   - `promtool check metrics` passes on what it serves, with no lint;
#   - netscope_grpc_calls_total per method and status equals the client's
#     own record of its calls, and the duration histogram counts them all;
#   - netscope_dns_queries_total per qtype and rcode equals what the DNS
#     client asked and the server answered, the response-time histogram
#     counts the answered ones;
#   - a real Prometheus server (started here with a config of its own in
#     a temporary directory, on a free port of 127.0.0.1) scrapes netscope
#     and its HTTP API answers up{job="netscope"} = 1 and the same call
#     count /metrics gave;
#   - other paths are 404, a bad address a usage error (2), a port in use
#     a runtime error (1) naming why;
#   - tui --metrics over a bundled capture serves the calls -z grpc,srt
#     counts (tmux, as tests/tui.sh; noted and left out without it).
# Needs root (live capture), python3-grpcio/grpc-tools, promtool and
# prometheus (Debian's prometheus package has both): skipped (77) without.
set -u
NS=${NETSCOPE:-./netscope}
NS=$(cd "$(dirname "$NS")" && pwd)/$(basename "$NS")
PCAPS=$(cd "${srcdir:-.}/tests/pcaps" && pwd)
PY=/usr/bin/python3
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: live capture needs root"
	exit 77
fi
for t in promtool prometheus curl; do
	command -v $t >/dev/null || {
		echo "SKIP: no $t (Debian: prometheus, curl)"
		exit 77
	}
done
"$PY" -c 'import grpc, grpc_tools' 2>/dev/null ||
	{ echo "SKIP: no python3-grpcio/python3-grpc-tools"; exit 77; }
TMP=$(mktemp -d)
chmod 755 "$TMP"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
fail=0
check() {
	local what=$1
	shift
	if ! "$@"; then
		echo "FAIL: $what"
		fail=1
		return 1
	fi
	echo "ok: $what"
}

# a TCP port of 127.0.0.1 free just now (the caller retries if it is
# taken before it binds it)
free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

export STUBS=$TMP/stubs
mkdir -p "$STUBS"
"$PY" -m grpc_tools.protoc -I"$PCAPS" --python_out="$STUBS" \
	--grpc_python_out="$STUBS" "$PCAPS/inference.proto"
"$PY" "$PCAPS/grpc-peers.py" server 0 >"$TMP/gport" 2>/dev/null &
pids+=($!)

# the DNS server: UDP on a port the kernel picks; answers names starting
# with "ok" NOERROR, others NXDOMAIN, and never answers names starting
# with "drop"
"$PY" - "$TMP/dport" <<'PYEOF' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    q, peer = s.recvfrom(512)
    name = q[13:13 + q[12]]
    if name.startswith(b"drop"):
        continue
    rcode = 0 if name.startswith(b"ok") else 3
    flags = 0x8180 | rcode
    s.sendto(q[:2] + flags.to_bytes(2, "big") + q[4:6] + b"\0\0\0\0\0\0" +
             q[12:], peer)
PYEOF
pids+=($!)
for _ in $(seq 100); do
	[ -s "$TMP/gport" ] && [ -s "$TMP/dport" ] && break
	sleep 0.1
done
gport=$(cat "$TMP/gport")
dport=$(cat "$TMP/dport")

# netscope on a free port: taken meanwhile, it says so and another is
# tried
started=0
for _ in $(seq 20); do
	mport=$(free_port)
	"$NS" capture -i lo -q --metrics "127.0.0.1:$mport" \
		"tcp port $gport or udp port $dport" 2>"$TMP/ns.err" &
	nspid=$!
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$mport/metrics" -o /dev/null &&
			started=1 && break
		kill -0 $nspid 2>/dev/null || break
		sleep 0.05
	done
	[ $started = 1 ] && break
	kill $nspid 2>/dev/null
	wait $nspid 2>/dev/null
	grep -q 'in use' "$TMP/ns.err" || break
done
if [ $started != 1 ]; then
	echo "FAIL: netscope --metrics did not start:"
	cat "$TMP/ns.err"
	exit 1
fi
pids+=($nspid)
echo "netscope serves on 127.0.0.1:$mport (gRPC on $gport, DNS on $dport)"
# the live capture needs its block timeout before packets show
sleep 0.5

# ---- traffic ---------------------------------------------------------------------
"$PY" "$PCAPS/grpc-peers.py" client "$gport" "$TMP/calls1" >/dev/null 2>&1
"$PY" "$PCAPS/grpc-peers.py" client "$gport" "$TMP/calls2" errors \
	>/dev/null 2>&1
"$PY" - "$dport" "$TMP/dns.truth" <<'PYEOF'
import socket, struct, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.3)
want = {}
ask = [("ok%d.example" % i, 1, "A", "NOERROR") for i in range(7)]
ask += [("no%d.example" % i, 28, "AAAA", "NXDOMAIN") for i in range(4)]
ask += [("ok%d.example" % i, 16, "TXT", "NOERROR") for i in range(2)]
for i, (name, qt, qn, rc) in enumerate(ask):
    q = struct.pack("!HHHHHH", 0x3000 + i, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", qt, 1)
    s.sendto(q, ("127.0.0.1", port))
    s.recvfrom(512)
    want[(qn, rc)] = want.get((qn, rc), 0) + 1
with open(sys.argv[2], "w") as f:
    for (qn, rc), n in sorted(want.items()):
        f.write('netscope_dns_queries_total{qtype="%s",rcode="%s"} %d\n'
                % (qn, rc, n))
PYEOF

# what the calls files say, in the exposition's form
cat "$TMP/calls1" "$TMP/calls2" | awk '{n[$1 " " $2]++}
	END {for (k in n) {split(k, a, " "); sub(/^\//, "", a[1]);
		printf "netscope_grpc_calls_total{method=\"%s\",status=\"%s\"} %d\n", a[1], a[2], n[k]}}' |
	sort >"$TMP/grpc.truth"
ncalls=$(cat "$TMP/calls1" "$TMP/calls2" | wc -l)
ndns=$(awk '{s += $2} END {print s}' "$TMP/dns.truth")
[ "$ncalls" -gt 10 ] || { echo "FAIL: the client made $ncalls calls"; exit 1; }

# the calls end on the wire within a block timeout, and the page is
# rendered 4 times a second: wait until the counts stop moving
scrape() { curl -sf "http://127.0.0.1:$mport/metrics" -o "$1"; }
grpc_sum() { awk '/^netscope_grpc_calls_total\{/ {s += $2} END {print s + 0}' "$1"; }
for _ in $(seq 100); do
	scrape "$TMP/m"
	[ "$(grpc_sum "$TMP/m")" -ge "$ncalls" ] &&
		[ "$(grep -c '^netscope_dns_queries_total{' "$TMP/m")" -ge "$(wc -l <"$TMP/dns.truth")" ] && break
	sleep 0.1
done
sleep 0.5
scrape "$TMP/m"

# ---- the page ---------------------------------------------------------------------
check "Content-Type is the text format 0.0.4" \
	grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' \
	<(curl -si "http://127.0.0.1:$mport/metrics")
check "other paths are 404" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/")" = 404
promtool check metrics <"$TMP/m" >"$TMP/promtool.out" 2>&1
rc=$?
check "promtool check metrics: exit 0, no lint problem" \
	test $rc = 0 -a ! -s "$TMP/promtool.out" || cat "$TMP/promtool.out"
grep '^netscope_grpc_calls_total{' "$TMP/m" | sort >"$TMP/grpc.got"
check "gRPC calls per method and status = the client's record ($ncalls)" \
	diff "$TMP/grpc.truth" "$TMP/grpc.got"
hist=$(awk '/^netscope_grpc_call_duration_seconds_count/ {s += $2} END {print s + 0}' "$TMP/m")
check "the duration histograms count every call ($hist)" test "$hist" = "$ncalls"
grep '^netscope_dns_queries_total{' "$TMP/m" | sort >"$TMP/dns.got"
check "DNS queries per qtype and rcode = the client's ($ndns)" \
	diff "$TMP/dns.truth" "$TMP/dns.got"
check "DNS response-time histogram counts them" \
	grep -qx "netscope_dns_response_time_seconds_count $ndns" "$TMP/m"
pk=$(awk '/^netscope_captured_packets_total / {print $2}' "$TMP/m")
check "packets captured ($pk)" test "${pk:-0}" -gt 50
check "kernel drops are served" \
	grep -qx 'netscope_kernel_dropped_packets_total [0-9]*' "$TMP/m"
check "flows: the gRPC connections" \
	grep -qx 'netscope_flows_created_total{proto="tcp"} [1-9][0-9]*' "$TMP/m"

# ---- a real Prometheus scrapes it -------------------------------------------------
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: netscope
    static_configs:
      - targets: ['127.0.0.1:$mport']
EOF
pstarted=0
for _ in $(seq 10); do
	pport=$(free_port)
	prometheus --config.file="$TMP/prometheus.yml" \
		--storage.tsdb.path="$TMP/tsdb" \
		--web.listen-address="127.0.0.1:$pport" >"$TMP/prom.log" 2>&1 &
	ppid=$!
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$pport/-/ready" >/dev/null &&
			pstarted=1 && break
		kill -0 $ppid 2>/dev/null || break
		sleep 0.1
	done
	[ $pstarted = 1 ] && break
	kill $ppid 2>/dev/null
	wait $ppid 2>/dev/null
done
pids+=($ppid)
query() {
	curl -sf -G "http://127.0.0.1:$pport/api/v1/query" \
		--data-urlencode "query=$1" |
		"$PY" -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")'
}
if [ $pstarted = 1 ]; then
	for _ in $(seq 150); do
		[ "$(query 'up{job="netscope"}')" = 1 ] &&
			[ "$(query 'sum(netscope_grpc_calls_total{job="netscope"})')" != none ] && break
		sleep 0.2
	done
	check 'Prometheus: up{job="netscope"} = 1' \
		test "$(query 'up{job="netscope"}')" = 1
	want=$(grpc_sum "$TMP/m")
	got=$(query 'sum(netscope_grpc_calls_total{job="netscope"})')
	check "Prometheus: sum(netscope_grpc_calls_total) = /metrics' $want ($got)" \
		test "$got" = "$want"
	want=$(awk '/^netscope_dns_response_time_seconds_count / {print $2}' "$TMP/m")
	got=$(query 'netscope_dns_response_time_seconds_count{job="netscope"}')
	check "Prometheus: netscope_dns_response_time_seconds_count = $want ($got)" \
		test "$got" = "$want"
	kill $ppid
else
	echo "FAIL: prometheus did not start:"
	tail -5 "$TMP/prom.log"
	fail=1
fi

# ---- errors --------------------------------------------------------------------------
"$NS" capture -i lo -q --metrics "127.0.0.1:$mport" -c 1 2>"$TMP/inuse.err"
rc=$?
check "a port in use: exit 1" test $rc = 1
check "… saying why" grep -q "cannot listen on 127.0.0.1:$mport: Address already in use" "$TMP/inuse.err" ||
	cat "$TMP/inuse.err"
for bad in 127.0.0.1 127.0.0.1:0 127.0.0.1:70000 localhost:9100 '[::1]9100' '::1:9100' 1.2.3:80; do
	"$NS" capture -i lo --metrics "$bad" -c 1 2>"$TMP/bad.err"
	rc=$?
	check "--metrics $bad: usage error (exit 2)" test $rc = 2 ||
		cat "$TMP/bad.err"
done
"$NS" capture -i lo --metrics "[::1]:$mport" -a duration:5 -q >/dev/null 2>"$TMP/v6.err" &
v6=$!
sleep 0.5
code=$(curl -s -o /dev/null -w '%{http_code}' "http://[::1]:$mport/metrics")
kill $v6 2>/dev/null
wait $v6 2>/dev/null
if grep -q 'Cannot assign' "$TMP/v6.err"; then
	echo "note: no IPv6 on lo, [::1] not checked"
else
	check "[::1]:PORT serves /metrics ($code)" test "$code" = 200
fi

# ---- tui --metrics: the same model, fed by the UI thread ----------------------------
if command -v tmux >/dev/null; then
	sess=nsmetrics$$
	tport=$(free_port)
	tmux new-session -d -s $sess -x 120 -y 40 \
		"$NS tui -r $PCAPS/grpc-errors.pcap --metrics 127.0.0.1:$tport 2>$TMP/tui.err"
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$tport/metrics" -o "$TMP/tm" &&
			[ "$(grpc_sum "$TMP/tm")" = 24 ] && break
		sleep 0.1
	done
	tmux send-keys -t $sess q
	# -z grpc,srt on the same file: 24 calls, these statuses
	check "tui --metrics: the calls -z grpc,srt counts" diff - \
		<(grep '^netscope_grpc_calls_total{' "$TMP/tm" | sort) <<'EOF2'
netscope_grpc_calls_total{method="inference.InferenceService/Predict",status="OK"} 20
netscope_grpc_calls_total{method="inference.InferenceService/Retrain",status="UNIMPLEMENTED"} 1
netscope_grpc_calls_total{method="inference.InferenceService/StreamPredict",status="CANCELLED"} 1
netscope_grpc_calls_total{method="inference.InferenceService/StreamPredict",status="DEADLINE_EXCEEDED"} 1
netscope_grpc_calls_total{method="inference.InferenceService/StreamPredict",status="OK"} 1
EOF2
	check "tui --metrics: packets read" \
		grep -qx 'netscope_captured_packets_total 90' "$TMP/tm"
	promtool check metrics <"$TMP/tm" >"$TMP/promtool.out" 2>&1
	rc=$?
	check "tui --metrics: promtool check metrics" \
		test $rc = 0 -a ! -s "$TMP/promtool.out"
	sleep 0.3
	tmux kill-session -t $sess 2>/dev/null
else
	echo "note: no tmux, tui --metrics not checked"
fi

kill $nspid
wait $nspid
rc=$?
check "netscope ends cleanly on SIGTERM (exit $rc)" test $rc = 0
exit $fail
