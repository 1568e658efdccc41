#!/usr/bin/python3
"""sse_check.py — netscope's SSE events and per-stream figures against the
server's own record (tests/pcaps/NAME.events, written by sse-server.py).

    sse_check.py events EVENTS JSON   every event of every stream: id, event
        name, data equal; the capture time of the packet that completed it
        within 1 ms of the server's write (between its clock readings just
        before and after it); each gap between consecutive events within
        1 ms of the server's
    sse_check.py calls EVENTS CALLS   the SSE lines of --calls: one per
        stream, its event count, time to first event (from the request)
        and gaps mean/max within 1 ms of the server's, [DONE]
    sse_check.py stat EVENTS STAT     the rows of -z sse,stat: the same
        figures, and p99 of the gaps (nearest rank) within 1 ms
Streams are matched by the client's port.  Prints what differs; exit 1.
"""
import json
import math
import re
import sys

TOL = 0.001  # seconds


def truth(path):
    """{client_port: {"request": t, "events": [(id, event, data, t)]}}"""
    out = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            s = out.setdefault(r["client_port"], {"events": [],
                                                  "path": None})
            if r["kind"] == "request":
                s["request"] = r["t"]
                s["path"] = r["path"]
            else:
                s["events"].append((r["n"], r["id"], r["event"], r["data"],
                                    (r["t"], r["t_done"])))
    for s in out.values():
        s["events"].sort()
        s["events"] = [e[1:] for e in s["events"]]
    return out


# The server read its clock just before and just after each write: the
# packet left in between.  Figures derived from those times are ranges
# (lo, hi); netscope's must be within TOL of the range.
def near(x, rng):
    return rng[0] - TOL <= x <= rng[1] + TOL


def show(rng):
    return "%.6f..%.6f" % rng


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def netscope_events(path):
    """{client_port: [(id, event, data, t)]} from -T json -Y sse."""
    out = {}
    for p in json.load(open(path)):
        lay = p["layers"]
        t = float(lay["frame"]["frame.time_epoch"])
        port = lay["tcp"]["tcp.dstport"]
        sse = lay.get("sse", {})
        names = as_list(sse.get("sse.event"))
        trees = as_list(sse.get("sse.event_tree"))
        for name, tree in zip(names, trees):
            out.setdefault(port, []).append(
                (tree.get("sse.id", ""), name, tree.get("sse.data", ""), t))
    return out


def gaps(ts):
    return [b - a for a, b in zip(ts, ts[1:])]


def gap_ranges(events):
    t = [e[3] for e in events]
    return [(b[0] - a[1], b[1] - a[0]) for a, b in zip(t, t[1:])]


DEV = []  # how far each event's time was outside the server's range


def p99(xs):
    xs = sorted(xs)
    return xs[max(1, math.ceil(0.99 * len(xs))) - 1]


problems = []


def want(cond, what):
    if not cond:
        problems.append(what)


def check_events(tr, got):
    want(sorted(tr) == sorted(got),
         "streams: server %s, netscope %s" % (sorted(tr), sorted(got)))
    for port, s in tr.items():
        ev = got.get(port, [])
        want(len(ev) == len(s["events"]),
             "port %d: %d events, server sent %d" % (port, len(ev),
                                                   len(s["events"])))
        for k, (a, b) in enumerate(zip(s["events"], ev)):
            want(a[:3] == b[:3], "port %d event %d: %r, server %r" %
                 (port, k + 1, b[:3], a[:3]))
            want(near(b[3], a[3]),
                 "port %d event %d: at %.6f, server wrote at %s" %
                 (port, k + 1, b[3], show(a[3])))
            DEV.append(max(0, a[3][0] - b[3], b[3] - a[3][1]))
        for k, (a, b) in enumerate(zip(gap_ranges(s["events"]),
                                       gaps([e[3] for e in ev]))):
            want(near(b, a), "port %d gap %d: %.6f s, server %s s" %
                 (port, k + 1, b, show(a)))


def ms(text):
    return float(text) / 1000.0


def expected(s):
    """The stream's figures, each a range (lo, hi)."""
    ev = s["events"]
    g = gap_ranges(ev)
    n = len(g)
    first, last = ev[0][3], ev[-1][3]
    return {"events": len(ev),
            "ttfe": (first[0] - s["request"], first[1] - s["request"]),
            "mean": ((last[0] - first[1]) / n, (last[1] - first[0]) / n),
            "max": (max(a for a, _ in g), max(b for _, b in g)),
            "p99": (p99([a for a, _ in g]), p99([b for _, b in g])),
            "done": ev[-1][2] == "[DONE]"}


def stream_of(tr, port, seen, what, line):
    """The figures the server's record gives the stream of a client port
    (noted as seen), or None when the server did not see it."""
    seen.add(port)
    if port not in tr:
        problems.append("%s: a stream the server did not see: %s" %
                        (what, line))
        return None
    return expected(tr[port])


CALL = re.compile(r":(\d+) \S+ \S+ s=\S+\s+SSE (\S+) (\S+) .* events (\d+) "
                  r"first ([0-9.]+) ms gaps mean ([0-9.]+) ms max ([0-9.]+) "
                  r"ms( \[DONE\])?")


def check_calls(tr, text):
    seen = set()
    for line in text.splitlines():
        m = CALL.search(line)
        if not m:
            continue
        e = stream_of(tr, int(m.group(1)), seen, "--calls", line)
        if not e:
            continue
        port = int(m.group(1))
        want(m.group(3) == tr[port]["path"], "--calls path: " + line)
        want(int(m.group(4)) == e["events"], "--calls events: " + line)
        for k, g in (("ttfe", 5), ("mean", 6), ("max", 7)):
            want(near(ms(m.group(g)), e[k]),
                 "--calls %s %.6f s, server %s s: %s" %
                 (k, ms(m.group(g)), show(e[k]), line))
        want(bool(m.group(8)) == e["done"], "--calls [DONE]: " + line)
    want(seen == set(tr), "--calls streams %s, server %s" %
         (sorted(seen), sorted(tr)))


def check_stat(tr, text):
    """Rows: tcp.stream client server path status events ttfe mean p99 max
    duration done (times in ms)."""
    seen = set()
    for line in text.splitlines():
        f = line.split()
        if len(f) < 12 or not f[0].isdigit() or ":" not in f[1]:
            continue
        port = int(f[1].rsplit(":", 1)[1])
        e = stream_of(tr, port, seen, "sse,stat", line)
        if not e:
            continue
        want(f[3] == tr[port]["path"], "sse,stat path: " + line)
        want(int(f[5]) == e["events"], "sse,stat events: " + line)
        for k, i in (("ttfe", 6), ("mean", 7), ("p99", 8), ("max", 9)):
            want(near(ms(f[i]), e[k]),
                 "sse,stat %s %s ms, server %s s: %s" %
                 (k, f[i], show(e[k]), line))
        want((f[11] == "yes") == e["done"], "sse,stat done: " + line)
    want(seen == set(tr), "sse,stat streams %s, server %s" %
         (sorted(seen), sorted(tr)))


def main():
    mode, events, got = sys.argv[1:4]
    tr = truth(events)
    if mode == "events":
        check_events(tr, netscope_events(got))
    elif mode == "calls":
        check_calls(tr, open(got).read())
    else:
        check_stat(tr, open(got).read())
    for p in problems:
        print(p)
    if DEV:
        print("events: %d, the farthest %.3f ms outside the server's range"
              % (len(DEV), max(DEV) * 1000))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
