#!/bin/bash
# -z grpc,srt, -z http,srt and -z dns,srt (issue 16): per-method counts and status
# mixes against the clients' records, latency percentiles against the
# frame times tshark reads (tests/srt_oracle.py computes them on its own),
# the time to the first message and the gaps against the server's send
# times; http,srt's calls and statuses against tshark's requests; the
# text and JSON forms; usage errors.
. "${srcdir:-.}/tests/testlib.sh"
ORACLE=$(cd "${srcdir:-.}/tests" && pwd)/srt_oracle.py
DNSORACLE=$(cd "${srcdir:-.}/tests" && pwd)/dnssrt_oracle.py
command -v tshark >/dev/null || {
	echo "SKIP: no tshark"
	exit 77
}

srt_vs_wire() { # PCAP PORT SERVER-RECORD
	"$NS" read -q -T ndjson -z grpc,srt "$PCAPS/$1.pcap" >"$TMP/$1.json" &&
		python3 "$ORACLE" "$PCAPS/$1.pcap" "$2" "$PCAPS/$1.calls" \
			"$3" "$TMP/$1.json"
}
check "grpc-latency: grpc,srt = client, wire and server" \
	srt_vs_wire grpc-latency 50051 "$PCAPS/grpc-latency.server"
check "grpc-errors: grpc,srt = client and wire" \
	srt_vs_wire grpc-errors 8080 -
check "grpc-inference: grpc,srt = client and wire" \
	srt_vs_wire grpc-inference 50051 -

# the text form: a header row of the columns, one row per method
"$NS" read -q -z grpc,srt "$PCAPS/grpc-latency.pcap" >"$TMP/t.txt"
check "text: header row" grep -Eq \
	'^method +calls +errors +status +min +p50 +p90 +p99 +max +ttfm_p50 +ttfm_p99 +gap_p99$' "$TMP/t.txt"
check "text: the unary row, streaming columns empty" grep -Eq \
	'^inference.InferenceService/Predict +34 +3 +OK:31 NOT_FOUND:2 UNAVAILABLE:1 .* - +- +-$' "$TMP/t.txt"
check "text: says the percentiles are exact" grep -q \
	'percentiles exact (nearest rank)' "$TMP/t.txt"

# http,srt: every request tshark sees, by method and path, and the status
# class of its response (HTTP/1.1 and HTTP/2; the 101 of an h2c upgrade
# and server pushes are no calls of their own)
http_vs_tshark() { # PCAP PORT
	"$NS" read -q -T ndjson -z http,srt "$PCAPS/$1.pcap" |
		python3 -c 'import json, sys
o = json.loads(sys.stdin.read())
for r in o["rows"]:
    for st in r[3].split():
        k, n = st.split(":")
        for _ in range(int(n)):
            print(r[0], k)' | sort >"$TMP/ns.txt"
	tshark -r "$PCAPS/$1.pcap" -d "tcp.port==$2,http" -2 -Y http -T fields \
		-e frame.number -e http.request.method -e http.request.uri \
		-e http.request_in -e http.response.code 2>/dev/null |
		python3 -c 'import sys
req, out = {}, []
for l in sys.stdin:
    f = l.rstrip("\n").split("\t")
    if f[1]:
        req[f[0]] = f[1] + " " + f[2].split("?")[0]
    elif f[4] and f[4] != "101":
        out.append(req[f[3]] + " " + f[4][0] + "xx")
print("\n".join(out))' | sort >"$TMP/ts.txt"
	diff "$TMP/ns.txt" "$TMP/ts.txt"
}
check "tcp-http-keepalive: http,srt = tshark" http_vs_tshark tcp-http-keepalive 80
check "tcp-ipv6-http: http,srt = tshark" http_vs_tshark tcp-ipv6-http 80

# both tables in one run, JSON objects on stdout with -q
check "two tables as JSON" sh -c "'$NS' read -q -T json -z grpc,srt \
	-z http,srt '$PCAPS/grpc-inference.pcap' | python3 -c 'import json, sys
t = [json.loads(l)[\"table\"] for l in sys.stdin]
sys.exit(t != [\"grpc,srt\", \"http,srt\"])'"
# without -q the packets keep stdout and the tables go to stderr
check "JSON packets on stdout, tables on stderr" sh -c "'$NS' read \
	-T ndjson -z grpc,srt '$PCAPS/grpc-inference.pcap' 2>'$TMP/err' |
	python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]' &&
	grep -q '\"table\":\"grpc,srt\"' '$TMP/err'"

# dns,srt: per query type against tshark's view of every message
# (tests/dnssrt_oracle.py), over UDP, TCP (several messages a segment),
# a truncated answer retried over TCP, DNSSEC types
for f in dns-udp dns-tcp dns-truncated dns-dnssec; do
	check "$f: dns,srt = tshark" sh -c "'$NS' read -q -T ndjson -z dns,srt \
		'$PCAPS/$f.pcap' >'$TMP/d.json' &&
		python3 '$DNSORACLE' '$PCAPS/$f.pcap' '$TMP/d.json'"
done
"$NS" read -q -z dns,srt,2 "$PCAPS/dns-udp.pcap" >"$TMP/d.txt"
check "dns,srt,2: the two most queried names, and how many more" sh -c \
	"grep -A3 '^name ' '$TMP/d.txt' | grep -Eq '^api.example.test +10 ' &&
	grep -q '^10 more names' '$TMP/d.txt'"
"$NS" read -q -z dns,srt,0 "$PCAPS/dns-udp.pcap" 2>/dev/null
check "dns,srt,0: exit 2" test $? -eq 2

# usage errors: exit 2
"$NS" read -q -z grpc,srt,x "$PCAPS/grpc-latency.pcap" 2>"$TMP/e"
check "grpc,srt takes no argument: exit 2" test $? -eq 2
"$NS" read -q -z nosuch "$PCAPS/grpc-latency.pcap" 2>"$TMP/e"
check "unknown -z: exit 2" test $? -eq 2
check "unknown -z lists grpc,srt, http,srt, dns,srt" grep -q 'grpc,srt http,srt dns,srt\[,N\]' "$TMP/e"

echo "$n checks"
exit $fail
