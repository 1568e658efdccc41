#!/usr/bin/python3
"""timing_oracle.py PCAP KEYS CURL NS_JSON NS_JSON_NOKEYS — checks
`-z conn,timing` on conn-timing.pcap.

From tshark's frame times (not netscope's): connection k's lookup starts
at the first DNS query after connection k-1's last packet and ends at the
last DNS response before its SYN; connect is its SYN-ACK, appconnect
(TLS) the client's Finished (decrypted by tshark with KEYS),
starttransfer the first response byte (cleartext: the server's first
payload; TLS: the record tshark decrypts as the HTTP response, after the
session tickets), total the server's last payload — all
from the lookup's start.  netscope must give the same (to the 10 us it
prints).  Against curl's own -w (CURL): curl's clock starts before its
lookup, so namelookup is at most curl's, and each interval between two
of the five times (connect - namelookup, …, total - starttransfer) is
within 1 ms of curl's.  Without keys the TLS rows have no starttransfer
and the same total.
"""
import json
import subprocess
import sys

pcap, keys, curl_path, ns_json, ns_nokeys = sys.argv[1:6]
bad = []


def check(ok, what):
    if not ok:
        bad.append(what)


out = subprocess.run(
    ["tshark", "-r", pcap, "-o", "tls.keylog_file:" + keys, "-T", "fields",
     "-e", "frame.time_epoch", "-e", "dns.flags.response", "-e", "tcp.stream",
     "-e", "tcp.flags.syn", "-e", "tcp.flags.ack", "-e", "tcp.srcport",
     "-e", "tcp.len", "-e", "http.response", "-e", "tls.handshake.type",
     "-e", "tls.record.content_type", "-E", "occurrence=a"],
    capture_output=True, text=True, check=True).stdout
conns = {}
dns = []
for line in out.splitlines():
    t, resp, stream, syn, ack, sport, tlen, hresp, hstype, ctype = (
        line.split("\t") + [""] * 10)[:10]
    t = float(t)
    if resp:
        dns.append((t, resp == "1"))
        continue
    if not stream:
        continue
    c = conns.setdefault(int(stream), {"syn": None, "synack": None,
                                       "last": None, "resp": None,
                                       "fin": None, "lastpkt": t,
                                       "server_last": None})
    c["lastpkt"] = t
    server = sport in ("8080", "8443")
    if syn == "True" or syn == "1":
        if ack in ("True", "1"):
            c["synack"] = t
        else:
            c["syn"] = t
    if server and tlen and int(tlen) > 0:
        c["server_last"] = t
    if server and c["resp"] is None and (hresp or (
            sport == "8080" and tlen and int(tlen) > 0)):
        c["resp"] = t  # the first response byte
    # the client's Finished: its first record with a finished (20)
    # handshake message, as tshark decrypts it
    if not server and "20" in hstype.split(",") and c["fin"] is None:
        c["fin"] = t

rows = {}
for l in open(ns_json):
    o = json.loads(l)
    if o["table"] == "conn,timing":
        rows = {r[0]: dict(zip(o["columns"], r)) for r in o["rows"]}
nokeys = {}
for l in open(ns_nokeys):
    o = json.loads(l)
    if o["table"] == "conn,timing":
        nokeys = {r[0]: dict(zip(o["columns"], r)) for r in o["rows"]}
curl = [l.split() for l in open(curl_path)]
check(len(rows) == len(conns) == len(curl),
      "%d rows, %d connections, %d curl runs" % (len(rows), len(conns),
                                                 len(curl)))
prev_end = 0
for k in sorted(conns):
    c = conns[k]
    start = min(t for t, r in dns if t > prev_end and not r)
    end = max(t for t, r in dns if t < c["syn"] and r)
    prev_end = c["lastpkt"]
    ms = lambda t: None if t is None else round((t - start) * 1e3, 6)
    tls = c["fin"] is not None
    wire = {"namelookup": ms(end), "connect": ms(c["synack"]),
            "appconnect": ms(c["fin"]) if tls else None,
            "starttransfer": ms(c["resp"]), "total": ms(c["server_last"])}
    r = rows.get(k, {})
    for col, want in wire.items():
        got = r.get(col)
        check((got is None and want is None) or
              (got is not None and want is not None and
               abs(got - want) <= 0.0051),
              "stream %d %s: netscope %s ms, the wire %s ms" % (k, col, got,
                                                                want))
    check(r.get("name") == "api.example.test" and r.get("walk") == 6,
          "stream %d: name %s walk %s" % (k, r.get("name"), r.get("walk")))
    n = nokeys.get(k, {})
    check(n.get("total") == r.get("total") and
          (n.get("starttransfer") is None) == tls,
          "stream %d without keys: %s" % (k, n))
    # against curl: its clock started before its lookup
    cu = [float(x) * 1e3 for x in curl[k][1:6]]
    names = ["namelookup", "connect", "appconnect", "starttransfer", "total"]
    ns = [r.get(x) for x in names]
    check(ns[0] is not None and ns[0] <= cu[0] + 0.005,
          "stream %d: namelookup %s ms, curl %.3f ms" % (k, ns[0], cu[0]))
    pts = [i for i in range(5) if ns[i] is not None and (i != 2 or tls)]
    for a, b in zip(pts, pts[1:]):
        d_ns, d_cu = ns[b] - ns[a], cu[b] - cu[a]
        check(abs(d_ns - d_cu) <= 1.0,
              "stream %d: %s - %s is %.3f ms, curl %.3f ms" % (
                  k, names[b], names[a], d_ns, d_cu))
for b in bad:
    print("FAIL:", b)
print("%d connections checked" % len(conns))
sys.exit(1 if bad else 0)
