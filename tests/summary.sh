#!/bin/bash
# netscope summary: on every bundled capture it exits 0 and fits one
# 45-line screen; its figures against tshark's (packets and bytes, the
# protocol hierarchy of -z io,phs where both name the same protocols, DNS
# failures, TLS server names) and against the clients' own records of the
# gRPC calls (tests/pcaps/*.calls).  Needs tshark.
# a slow oracle run: make check-slow runs it (NS_SLOW=1), make check skips it
[ "${NS_SLOW:-0}" = 1 ] || {
	echo "SKIP: a slow oracle run, for make check-slow"
	exit 77
}
set -u
. "${srcdir:-.}/tests/testlib.sh"
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }

for cap in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	[ -f "$cap" ] || continue
	b=$(basename "$cap")
	"$NS" summary "$cap" >"$TMP/s" 2>/dev/null
	check "$b: exit 0" test $? = 0
	check "$b: one 45-line screen ($(wc -l <"$TMP/s") lines)" \
		test "$(wc -l <"$TMP/s")" -le 45
	# hand-made past netscope's fragment caps and timeout, which tshark
	# does not have (tests/ipfrag.sh checks what netscope does there)
	[ "$b" = malformed-frag-flood.pcap ] && continue
	tshark -r "$cap" -q -z io,phs >"$TMP/phs" 2>/dev/null
	tshark -r "$cap" -T fields -e frame.len >"$TMP/len" 2>/dev/null
	tshark -r "$cap" -Y 'dns.flags.response == 1 && (dns.flags.rcode != 0 || dns.resp.ext_rcode != 0)' \
		-T fields -e frame.number >"$TMP/dnsfail" 2>/dev/null
	tshark -r "$cap" -Y 'tls.handshake.type == 1' -T fields \
		-e tls.handshake.extensions_server_name >"$TMP/sni" 2>/dev/null
	check "$b: agrees with tshark" python3 - "$TMP" "$b" <<'PYEOF'
import re, sys
tmp, name = sys.argv[1], sys.argv[2]
s = open(tmp + "/s").read().splitlines()
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append("%s: netscope %s, tshark %s" % (what, got, exp))
lens = [int(x) for x in open(tmp + "/len").read().split()]
m = re.match(r"Packets +(\d+),", next(l for l in s if l.startswith("Packets")))
want("packets", int(m.group(1)), len(lens))
# the hierarchy: netscope's shown lines as paths, tshark's as paths;
# compared where every name on the path is one both use alike
plain = {"eth", "ip", "ipv6", "tcp", "udp", "arp", "icmp", "icmpv6", "dns",
         "sll", "vlan", "null", "raw", "vxlan", "gre", "mpls", "llc", "stp"}
def paths(lines, pat):
    out, stack = {}, []
    for l in lines:
        m = re.match(pat, l)
        if not m:
            continue
        d = len(m.group(1)) // 2
        stack[d:] = [m.group(2)]
        out[":".join(stack)] = int(m.group(3))
    return out
i = next((k for k, l in enumerate(s) if l.startswith("Protocols")), None)
ours = {}
if i is not None:
    sec = []
    for l in s[i + 1:]:
        if not l.startswith("  "):
            break
        sec.append(l[2:])
    ours = paths(sec, r"^( *)([a-z0-9_.]+) +(\d+) ")
theirs = paths(open(tmp + "/phs").read().splitlines(),
               r"^( *)([a-z0-9_.]+) +frames:(\d+) ")
compared = 0
for p, v in ours.items():
    if all(x in plain for x in p.split(":")) and p in theirs:
        want("frames of " + p, v, theirs[p])
        compared += 1
if ours and not compared and name.startswith(("dns", "tcp", "icmp")):
    bad.append("no hierarchy line compared")
fails = len(open(tmp + "/dnsfail").read().split())
d = [l for l in s if l.startswith("DNS ")]
if d:
    want("DNS failures", int(re.search(r"(\d+) failed", d[0]).group(1)), fails)
elif fails:
    bad.append("no DNS line, tshark has %d failures" % fails)
snis = {x for x in open(tmp + "/sni").read().split()}
i = next((k for k, l in enumerate(s) if l.startswith("TLS servers")), None)
if snis:
    shown = set()
    for l in s[i + 1:] if i is not None else []:
        if not l.startswith("  ") or l.startswith("  ..."):
            break
        shown.add(l.split()[0])
    more = i is not None and any(l.startswith("  ...") for l in s[i + 1:])
    if not more:
        want("TLS server names", sorted(shown - {"(no"}), sorted(snis))
for b in bad:
    print("    " + b)
sys.exit(1 if bad else 0)
PYEOF
done

# calls against the clients' own records: per method, calls and errors
for truth in "$PCAPS"/*.calls; do
	cap=${truth%.calls}.pcap
	[ -f "$cap" ] || continue
	# cut mid-connection: methods are unknowable (tests/grpc_midstream.sh)
	case $cap in *midstream*) continue ;; esac
	keys=()
	[ -f "${truth%.calls}.keys" ] && keys=(--tls-keylog "${truth%.calls}.keys")
	"$NS" summary "${keys[@]}" "$cap" >"$TMP/s" 2>/dev/null
	check "$(basename "$cap"): calls and errors per method as the clients recorded" \
		python3 - "$TMP/s" "$truth" <<'PYEOF'
import collections, re, sys
s = open(sys.argv[1]).read().splitlines()
want = collections.defaultdict(lambda: [0, 0])
for l in open(sys.argv[2]):
    f = l.split()
    if len(f) >= 2 and f[0].startswith("/"):
        want[f[0]][0] += 1
        # a gRPC status other than OK, or an HTTP status of 400 or more
        want[f[0]][1] += (int(f[1]) >= 400 if f[1].isdigit() else f[1] != "OK")
got = {}
for l in s:
    m = re.match(r"^  (?:gRPC|gRPC-Web|HTTP/2|HTTP/1\.1) \S+ (/\S+) +(\d+) +(\d+) ", l)
    if m:
        got[m.group(1)] = [int(m.group(2)), int(m.group(3))]
bad = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
if bad or not want:
    print("    (netscope, clients):", bad)
sys.exit(1 if bad or not want else 0)
PYEOF
done

# -z summary is the same report from read, and it is checked like -z's
check "read -q -z summary: the same report" cmp -s \
	<("$NS" summary "$PCAPS/dns-udp.pcap" 2>/dev/null | grep -v '^File ') \
	<("$NS" read -q -z summary "$PCAPS/dns-udp.pcap" 2>/dev/null)
"$NS" read -z summary,x "$PCAPS/dns-udp.pcap" >/dev/null 2>"$TMP/e"
check "-z summary,x: a usage error" test $? = 2
"$NS" summary "$TMP/none.pcap" >/dev/null 2>"$TMP/e"
check "summary of a missing file: exit 1, the reason" sh -c \
	"test $? = 1 && grep -q \"cannot open '$TMP/none.pcap'\" '$TMP/e'"
echo "$n checks"
exit $fail
