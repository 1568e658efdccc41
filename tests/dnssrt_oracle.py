#!/usr/bin/python3
"""dnssrt_oracle.py PCAP NETSCOPE_JSON — checks `-z dns,srt` per query type
against what tshark says of every DNS message: new queries and
retransmitted ones (dns.retransmission on queries), answered (responses
with dns.time, not retransmitted), the rcode mix (the total, and rcodes 1-5 by name), and the response times
(dns.time) as nearest-rank p50/p99 and max.  Prints each mismatch; exit 1
if any."""
import collections
import json
import math
import subprocess
import sys

pcap, ns_json = sys.argv[1:3]
out = subprocess.run(
    ["tshark", "-r", pcap, "-Y", "dns", "-T", "fields",
     "-e", "dns.flags.response", "-e", "dns.qry.type", "-e", "dns.flags.rcode",
     "-e", "dns.time", "-e", "dns.retransmission",
     "-E", "occurrence=a"],
    capture_output=True, text=True, check=True).stdout
TYPES = {1: "A", 28: "AAAA", 15: "MX", 16: "TXT", 33: "SRV", 257: "CAA",
         35: "NAPTR", 64: "SVCB", 65: "HTTPS", 2: "NS", 6: "SOA", 12: "PTR",
         252: "AXFR", 5: "CNAME", 255: "ANY", 43: "DS", 48: "DNSKEY",
         51: "NSEC3PARAM", 46: "RRSIG", 47: "NSEC", 50: "NSEC3"}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED"}
want = collections.defaultdict(lambda: {"queries": 0, "retrans": 0,
                                        "answered": 0, "rc": collections.Counter(),
                                        "rt": []})
for line in out.splitlines():
    # several messages in one TCP segment: one value each (dns.time and
    # dns.retransmission only on the messages that have them, in order)
    resp, qtype, rcode, dtime, retrans = [
        f.split(",") if f else [] for f in (line.split("\t") + [""] * 5)[:5]]
    for i, (r, q) in enumerate(zip(resp, qtype)):
        w = want[TYPES.get(int(q), "TYPE%s" % q)]
        single = len(resp) == 1
        if r == "0":
            w["retrans" if single and retrans else "queries"] += 1
        elif dtime and not (single and retrans):
            w["answered"] += 1
            w["rc"][int(rcode[i])] += 1
            w["rt"].append(float(dtime.pop(0)) * 1e3)


def pct(v, p):
    v = sorted(v)
    return v[max(1, min(len(v), math.ceil(p / 100 * len(v) - 1e-9))) - 1]


bad = []
tab = [json.loads(l) for l in open(ns_json)]
tab = [t for t in tab if t["table"] == "dns,srt"][0]
rows = {r[0]: dict(zip(tab["columns"], r)) for r in tab["rows"]}
if sorted(rows) != sorted(want):
    bad.append("types %s, tshark %s" % (sorted(rows), sorted(want)))
for name, w in want.items():
    r = rows.get(name)
    if not r:
        continue
    for col, key in [("queries", "queries"), ("answered", "answered"),
                     ("retransmitted", "retrans")]:
        if r[col] != w[key]:
            bad.append("%s %s: %s, tshark %s" % (name, col, r[col], w[key]))
    got = collections.Counter()
    for x in (r["rcodes"] or "").split():
        k, n = x.rsplit(":", 1)
        got[k] += int(n)
    # tshark shows the header's 4 rcode bits; netscope adds EDNS's upper
    # bits (BADVERS, BADCOOKIE): compare the total and rcodes 1-5
    if sum(got.values()) != sum(w["rc"].values()) or any(
            got[RCODES[rc]] != w["rc"][rc] for rc in range(1, 6)):
        bad.append("%s rcodes %s, tshark %s" % (name, dict(got), dict(w["rc"])))
    if w["rt"]:
        for col, val in [("p50", pct(w["rt"], 50)), ("p99", pct(w["rt"], 99)),
                         ("max", max(w["rt"]))]:
            if r[col] is None or abs(r[col] - val) > 0.0051:
                bad.append("%s %s: %s ms, tshark %.4f ms" % (name, col, r[col],
                                                             val))
for b in bad:
    print("FAIL:", b)
print("%d query types checked" % len(want))
sys.exit(1 if bad else 0)
