#!/usr/bin/python3
"""srt_oracle.py PCAP PORT CALLS SERVER NETSCOPE_JSON — checks `-z grpc,srt`.

The wire's answer is computed here from the frame times tshark reads (not
from netscope): per HTTP/2 stream (of any connection), the call starts at the client's first
frame of the stream and ends at the frame by which both sides have ended
(END_STREAM) or one reset it (RST_STREAM); the time to the first message
is to the server's first non-empty DATA frame, and the gaps are between
its non-empty DATA frames (grpcio sends one small message per frame).
Percentiles are nearest-rank.  Checked:
  - netscope's calls, errors and status mix per method equal the
    client's record (CALLS);
  - its min/p50/p90/p99/max, ttfm_p50/p99 and gap_p99 equal the wire's
    (to the 10 us netscope prints);
  - the wire agrees with the client's own start and end of each call
    (0 <= client - wire < 5 ms: the client's scheduling slack) and with
    the server's send times (each gap within 1 ms of the server's, and
    each message on the wire within 1 ms after the server sent it: the
    capture and the server read the same clock).
Prints one line per failed check; exit 1 if any.
"""
import collections
import json
import math
import subprocess
import sys

pcap, port, calls_path, server_path, ns_json = sys.argv[1:6]
port = int(port)
bad = []


def check(ok, what):
    if not ok:
        bad.append(what)


def pct(vals, p):
    v = sorted(vals)
    if not v:
        return None
    r = max(1, min(len(v), math.ceil(p / 100 * len(v) - 1e-9)))
    return v[r - 1]


out = subprocess.run(
    ["tshark", "-r", pcap, "-d", "tcp.port==%d,http2" % port, "-Y", "http2",
     "-T", "fields", "-e", "frame.time_epoch", "-e", "tcp.srcport",
     "-e", "tcp.stream",
     "-e", "http2.streamid", "-e", "http2.type", "-e", "http2.flags",
     "-e", "http2.length", "-e", "http2.headers.path", "-E", "occurrence=a"],
    capture_output=True, text=True, check=True).stdout
streams = collections.OrderedDict()
for line in out.splitlines():
    t, sport, conn, sids, types, flags, lens, paths = (
        line.split("\t") + [""] * 8)[:8]
    t = float(t)
    server = int(sport) == port
    paths = [p for p in paths.split(",") if p]
    for sid, ty, fl, ln in zip(sids.split(","), types.split(","),
                               flags.split(","), lens.split(",")):
        sid, ty, fl, ln = int(sid), int(ty), int(fl, 16), int(ln)
        if sid == 0:
            continue
        s = streams.setdefault((int(conn), sid), {"start": None, "end": [None, None],
                                     "rst": None, "data": [], "path": None})
        if not server and s["start"] is None:
            s["start"] = t
        if not server and ty == 1 and s["path"] is None and paths:
            s["path"] = paths.pop(0)
        if ty in (0, 1) and fl & 1:
            s["end"][1 if server else 0] = t
        if ty == 3 and s["rst"] is None:
            s["rst"] = t
        if server and ty == 0 and ln > 0:
            s["data"].append(t)

wire = collections.defaultdict(lambda: {"lat": [], "ttfm": [], "gap": []})
order = []  # (path, latency) in stream order
for sid, s in streams.items():
    end = s["rst"] if s["rst"] is not None else (
        max(s["end"]) if None not in s["end"] else None)
    m = wire[s["path"].lstrip("/")]
    lat = (end - s["start"]) * 1e3
    m["lat"].append(lat)
    order.append((s["path"], lat, s))
    if s["data"]:
        m["ttfm"].append((s["data"][0] - s["start"]) * 1e3)
        m["gap"] += [(b - a) * 1e3 for a, b in zip(s["data"], s["data"][1:])]

calls = [l.split() for l in open(calls_path)]
rec = collections.defaultdict(collections.Counter)
for c in calls:
    rec[c[0].lstrip("/")][c[1]] += 1

table = None
for line in open(ns_json):
    o = json.loads(line)
    if o.get("table") == "grpc,srt":
        table = o
check(table is not None, "no grpc,srt table in the JSON output")
cols = table["columns"] if table else []
rows = {r[0]: dict(zip(cols, r)) for r in (table["rows"] if table else [])}
check(sorted(rows) == sorted(rec),
      "methods %s, the client called %s" % (sorted(rows), sorted(rec)))
for meth, mix in rec.items():
    r = rows.get(meth)
    if not r:
        continue
    check(r["calls"] == sum(mix.values()),
          "%s: %s calls, the client made %d" % (meth, r["calls"],
                                                sum(mix.values())))
    errors = sum(n for st, n in mix.items() if st != "OK")
    check(r["errors"] == errors,
          "%s: %s errors, the client saw %d" % (meth, r["errors"], errors))
    got = dict(x.split(":") for x in r["status"].split())
    want = {k: str(v) for k, v in mix.items()}
    check(got == want, "%s: status %s, the client saw %s" % (meth, got, want))
    w = wire[meth]
    streaming = bool(w["gap"])
    figures = [("min", min(w["lat"])), ("p50", pct(w["lat"], 50)),
               ("p90", pct(w["lat"], 90)), ("p99", pct(w["lat"], 99)),
               ("max", max(w["lat"]))]
    if streaming:
        figures += [("ttfm_p50", pct(w["ttfm"], 50)),
                    ("ttfm_p99", pct(w["ttfm"], 99)),
                    ("gap_p99", pct(w["gap"], 99))]
    for col, want in figures:
        got = r.get(col)
        check(got is not None and abs(got - want) <= 0.0051,
              "%s %s: netscope %s ms, the wire %.4f ms" % (meth, col, got,
                                                           want))

# the wire against the client's clock, call by call (both in call order)
timed = [c for c in calls if len(c) > 5 and float(c[4]) > 0]
for c, (path, lat, _) in zip(calls, order):
    if len(c) < 6:
        break  # no times: calls in any order, on several connections
    check(c[0] == path, "call order: client %s, wire %s" % (c[0], path))
    if float(c[4]) > 0:
        client = (float(c[5]) - float(c[4])) * 1e3
        check(0 <= client - lat < 5,
              "%s: the client took %.3f ms, the wire %.3f ms" % (path, client,
                                                                 lat))
check(len(calls[0]) < 6 or len(timed) > 30,
      "only %d timed calls in the client's record" % len(timed))

# the wire against the server's send times, stream by stream
starts, sends = {}, collections.defaultdict(list)
for l in open(server_path) if server_path != "-" else []:
    f = l.split()  # a model may hold blanks: the times are last
    if f[0] == "start":
        starts[" ".join(f[1:-1])] = float(f[-1])
    elif f[0] == "send":
        sends[" ".join(f[1:-2])].append(float(f[-1]))
streamed = [s for _, _, s in order if len(s["data"]) > 1]
check(server_path == "-" or len(streamed) == len(sends),
      "%d streams on the wire, %d in the server's record" % (len(streamed),
                                                            len(sends)))
for s, model in zip(streamed, sorted(sends)):
    st = sends[model]
    wg = [b - a for a, b in zip(s["data"], s["data"][1:])]
    sg = [b - a for a, b in zip(st, st[1:])]
    check(len(wg) == len(sg), "%s: %d gaps on the wire, %d sent" %
          (model, len(wg), len(sg)))
    for a, b in zip(wg, sg):
        check(abs(a - b) < 1e-3, "%s: gap %.3f ms on the wire, %.3f ms "
              "between the server's sends" % (model, a * 1e3, b * 1e3))
    # one clock (CLOCK_REALTIME) for the capture and the server: each
    # message is on the wire within 1 ms after the server sent it, so the
    # time to the first message and every gap are the server's too
    for i, (a, b) in enumerate(zip(s["data"], st)):
        check(0 <= a - b < 1e-3, "%s: message %d on the wire %.3f ms after "
              "the server sent it" % (model, i, (a - b) * 1e3))

for b in bad:
    print("FAIL:", b)
print("%d methods, %d calls, %d streams checked" % (len(rows), len(order),
                                                     len(streamed)))
sys.exit(1 if bad else 0)
