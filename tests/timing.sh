#!/bin/bash
# Where the time goes (issue 16 point 3): -z conn,timing and the timing
# line of --conversations on conn-timing.pcap (curl through the system
# resolver with a search list, to HTTP and HTTPS), against the frame times
# tshark reads and curl's own -w figures (tests/timing_oracle.py); the
# search walks in -z dns,srt.
. "${srcdir:-.}/tests/testlib.sh"
ORACLE=$(cd "${srcdir:-.}/tests" && pwd)/timing_oracle.py
command -v tshark >/dev/null || {
	echo "SKIP: no tshark"
	exit 77
}
P=$PCAPS/conn-timing

"$NS" read -q -T ndjson -z conn,timing --tls-keylog "$P.keys" "$P.pcap" \
	>"$TMP/keys.json"
"$NS" read -q -T ndjson -z conn,timing "$P.pcap" >"$TMP/nokeys.json"
check "conn,timing = the wire and curl" python3 "$ORACLE" "$P.pcap" \
	"$P.keys" "$P.curl" "$TMP/keys.json" "$TMP/nokeys.json"

# --conversations carries the same times on a line under the connection
"$NS" read -q --conversations --tls-keylog "$P.keys" "$P.pcap" >"$TMP/conv"
"$NS" read -q -z conn,timing --tls-keylog "$P.keys" "$P.pcap" >"$TMP/ct"
conv_vs_table() {
	python3 - "$TMP/conv" "$TMP/ct" <<'PY'
import re, sys
conv = [l for l in open(sys.argv[1]) if l.strip().startswith("timing:")]
rows = [l.split() for l in open(sys.argv[2]) if l.split() and l.split()[0].isdigit()]
ok = len(conv) == len(rows) == 3
for c, r in zip(conv, rows):
    ms = re.findall(r"([a-z ]+?) ([0-9.]+) ms", c)
    got = {k.strip().split()[-1]: v for k, v in ms}
    want = {"connect": r[6], "tls": r[7], "byte": r[8], "total": r[9],
            "server": r[10]}
    want = {k: v for k, v in want.items() if v != "-"}
    ok &= all(got.get(k) == v for k, v in want.items())
    ok &= "(walk %s)" % r[4] in c and r[3] in c
sys.exit(0 if ok else 1)
PY
}
check "--conversations timing lines = -z conn,timing" conv_vs_table

# the search walk: NXDOMAIN for the name under each suffix, each lookup
"$NS" read -q -z dns,srt "$P.pcap" >"$TMP/dns"
check "dns,srt: 3 walks of 3 NXDOMAIN (A) for api.example.test" grep -Eq \
	'^api\.example\.test +3 +9 ' "$TMP/dns"
check "dns,srt: NXDOMAIN counted per type" grep -Eq \
	'^A +[0-9]+ +[0-9]+ +NOERROR:3 NXDOMAIN:9 ' "$TMP/dns"

"$NS" read -q -z conn,timing,x "$P.pcap" 2>/dev/null
check "conn,timing takes no argument: exit 2" test $? -eq 2

echo "$n checks"
exit $fail
