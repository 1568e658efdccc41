#!/usr/bin/env python3
"""tests/records_oracle.py — checks netscope's transaction records
(--records) of one capture against what tshark reads from the same capture
and against the clients' and servers' own records.

usage: records_oracle.py PCAP RECORDS [--keys FILE] [--calls FILE]
                         [--events FILE] [--decode TSHARK-D]...

  every line: a JSON object with the common fields, schema_version 1, one
  uid per connection (the same in all its records);
  conn: one per TCP/UDP stream tshark numbers; endpoints, packets and frame
        bytes each way, duration (1 us), as tshark's frames say;
  dns:  the answered records = tshark's responses (stream, id, name, type,
        rcode), rtt = dns.time (1 us);
  tls:  per connection SNI, the server's version, ALPN, JA3 and JA3S as
        tshark's;
  http: HTTP/1.x requests (stream, method, uri, host) and their statuses as
        tshark's;
  grpc: methods and statuses = the client's record (--calls; for an HTTP
        client's record, paths and status codes of the http records);
  sse:  events per stream = the server's record (--events).
Prints what differs; exit 1 when anything does.
"""
import collections
import json
import subprocess
import sys

COMMON = ["ts", "record", "schema_version", "sensor", "uid", "proto",
          "stream", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"]

bad = []


def fail(msg):
    bad.append(msg)


def tshark(pcap, extra, fields, yfilter):
    cmd = ["tshark", "-r", pcap, "-n"] + extra + ["-T", "fields",
                                                  "-E", "occurrence=f"]
    if yfilter:
        cmd += ["-Y", yfilter]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def common(recs):
    uids = {}
    for r in recs:
        for k in COMMON:
            if k not in r:
                fail(f"{r['record']} record without {k}: {r}")
        if r.get("schema_version") != 1:
            fail(f"schema_version {r.get('schema_version')}")
        key = (r["proto"], r["stream"])
        if uids.setdefault(key, r["uid"]) != r["uid"]:
            fail(f"{key}: two uids {uids[key]} and {r['uid']}")
        if "payload_truncated" in r or "request_headers" in r:
            fail(f"payload fields without --records-payload: {r}")


def conns(pcap, extra, recs):
    rows = tshark(pcap, extra, [
        "frame.time_epoch", "frame.len", "tcp.stream", "udp.stream",
        "ip.src", "ipv6.src", "tcp.srcport", "udp.srcport",
        "tcp.flags.syn", "tcp.flags.ack"], "tcp or udp")
    want = {}
    for t, ln, ts, us, s4, s6, tp, up, syn, ack in rows:
        key = ("tcp", int(ts)) if ts else ("udp", int(us))
        src = (s4 or s6, int(tp or up))
        c = want.get(key)
        if c is None:
            c = want[key] = {"orig": src, "first": float(t), "frames": []}
        # the client of a TCP connection is who sends the SYN
        if syn == "1" and ack == "0" and not c.get("syn"):
            c["orig"], c["syn"] = src, True
        c["frames"].append((src, int(ln)))
        c["last"] = float(t)
    got = {(r["proto"], r["stream"]): r for r in recs
           if r["record"] == "conn"}
    if set(got) != set(want):
        fail(f"conn streams: netscope {sorted(got)} tshark {sorted(want)}")
    for key, c in want.items():
        r = got.get(key)
        if not r:
            continue
        pk, by = [0, 0], [0, 0]
        for src, ln in c["frames"]:
            d = 0 if src == c["orig"] else 1
            pk[d] += 1
            by[d] += ln
        orig = (r["id.orig_h"], r["id.orig_p"])
        if orig != c["orig"]:
            fail(f"{key}: orig {orig}, tshark {c['orig']}")
        have = [r["orig_pkts"], r["resp_pkts"], r["orig_frame_bytes"],
                r["resp_frame_bytes"]]
        if have != pk + by:
            fail(f"{key}: packets/bytes {have}, tshark {pk + by}")
        if abs(r["duration"] - (c["last"] - c["first"])) > 1e-6:
            fail(f"{key}: duration {r['duration']}, tshark "
                 f"{c['last'] - c['first']}")
        if abs(r["ts"] - c["first"]) > 1e-6:
            fail(f"{key}: ts {r['ts']}, tshark {c['first']}")
    return len(want)


def dns(pcap, extra, recs):
    rows = tshark(pcap, extra, [
        "tcp.stream", "udp.stream", "dns.id", "dns.qry.name",
        "dns.qry.type", "dns.flags.rcode", "dns.time"],
        "dns.flags.response == 1 && !dns.retransmission")
    want = collections.Counter()
    times = {}
    for ts, us, did, name, qtype, rcode, t in rows:
        k = ("tcp" if ts else "udp", int(ts or us), int(did, 16), name,
             int(qtype or 0), int(rcode))
        want[k] += 1
        if t:
            times[k] = float(t)
    got = collections.Counter()
    for r in recs:
        if r["record"] != "dns" or not r["answered"]:
            continue
        # tshark's dns.flags.rcode is the header's 4 bits; the record's
        # rcode has EDNS's upper bits too (BADCOOKIE 23)
        k = (r["proto"], r["stream"], r["trans_id"], r["query"],
             r.get("qtype", 0), r["rcode"] & 15)
        got[k] += 1
        if k in times and abs(r["rtt"] - times[k]) > 1e-6:
            fail(f"dns {k}: rtt {r['rtt']}, tshark dns.time {times[k]}")
    if got != want:
        fail(f"dns answers: netscope-only {got - want}, "
             f"tshark-only {want - got}")
    return sum(want.values())


TLS_VERSIONS = {"0x0301": "TLSv10", "0x0302": "TLSv11", "0x0303": "TLSv12",
                "0x0304": "TLSv13"}


def tls(pcap, extra, recs):
    hello = tshark(pcap, extra, [
        "tcp.stream", "tls.handshake.extensions_server_name",
        "tls.handshake.ja3"], "tls.handshake.type == 1")
    server = tshark(pcap, extra, [
        "tcp.stream", "tls.handshake.extensions.supported_version",
        "tls.handshake.version", "tls.handshake.extensions_alpn_str",
        "tls.handshake.ja3s"], "tls.handshake.type == 2")
    want = {}
    for st, sni, ja3 in hello:
        want.setdefault(int(st), {"server_name": sni, "ja3": ja3})
    for st, sv, v, alpn, ja3s in server:
        w = want.setdefault(int(st), {})
        w["version"] = TLS_VERSIONS.get(sv or v, sv or v)
        w["next_protocol"] = alpn
        w["ja3s"] = ja3s  # the last ServerHello (after a HelloRetry)
    got = {r["stream"]: r for r in recs if r["record"] == "tls"}
    if set(got) != set(want):
        fail(f"tls streams: netscope {sorted(got)} tshark {sorted(want)}")
    for st, w in want.items():
        for k, v in w.items():
            if st in got and got[st].get(k, "") != v:
                fail(f"tls stream {st}: {k} {got[st].get(k)!r}, "
                     f"tshark {v!r}")
    return len(want)


def http1(pcap, extra, recs):
    req = tshark(pcap, extra, [
        "tcp.stream", "http.request.method", "http.request.uri",
        "http.host"], "http.request")
    resp = tshark(pcap, extra, ["tcp.stream", "http.response.code"],
                  "http.response")
    want = collections.Counter((int(s), m, u, h) for s, m, u, h in req)
    wst = collections.Counter((int(s), int(c)) for s, c in resp)
    got, gst = collections.Counter(), collections.Counter()
    for r in recs:
        if r["record"] in ("http", "grpc", "sse") and r["version"] == "1":
            uri = r.get("uri", "/" + r["method"]) if r["record"] != "grpc" \
                else "/" + r["method"]
            m = r["method"] if r["record"] != "grpc" else "POST"
            got[(r["stream"], m, uri, r.get("host", ""))] += 1
            code = r.get("status_code", r.get("http_status"))
            if code is not None:
                gst[(r["stream"], code)] += 1
    if got != want:
        fail(f"http requests: netscope-only {got - want}, "
             f"tshark-only {want - got}")
    if gst != wst:
        fail(f"http statuses: netscope-only {gst - wst}, "
             f"tshark-only {wst - gst}")
    return sum(want.values())


def grpc(calls_file, recs):
    want = collections.Counter()
    for line in open(calls_file):
        f = line.split()
        if f:
            want[(f[0].lstrip("/"), f[1])] += 1
    # an HTTP client's record: path and status code
    if want and all(k[1].isdigit() for k in want):
        got = collections.Counter(
            (r.get("uri", "").lstrip("/"), str(r.get("status_code", "?")))
            for r in recs if r["record"] == "http")
    else:
        got = collections.Counter((r["method"], r.get("status_name", "?"))
                                  for r in recs if r["record"] == "grpc")
    if got != want:
        fail(f"grpc calls: netscope-only {got - want}, "
             f"client-only {want - got}")
    return sum(want.values())


def sse(events_file, recs):
    want = collections.Counter()
    for line in open(events_file):
        e = json.loads(line)
        if e.get("kind") == "event":
            want[e["client_port"]] += 1
    got = collections.Counter()
    for r in recs:
        if r["record"] == "sse":
            got[r["id.orig_p"]] += r["events"]
    if got != want:
        fail(f"sse events per client port: netscope {dict(got)}, "
             f"server {dict(want)}")
    return sum(want.values())


def main():
    args = sys.argv[1:]
    pcap, records = args[0], args[1]
    extra, calls, events = [], None, None
    i = 2
    while i < len(args):
        if args[i] == "--keys":
            extra += ["-o", "tls.keylog_file:" + args[i + 1]]
        elif args[i] == "--decode":
            extra += ["-d", args[i + 1]]
        elif args[i] == "--calls":
            calls = args[i + 1]
        elif args[i] == "--events":
            events = args[i + 1]
        i += 2
    recs = [json.loads(line) for line in open(records)]
    common(recs)
    counts = {"conn": conns(pcap, extra, recs), "dns": dns(pcap, extra, recs),
              "tls": tls(pcap, extra, recs),
              "http/1": http1(pcap, extra, recs)}
    if calls:
        counts["client calls"] = grpc(calls, recs)
    if events:
        counts["sse events"] = sse(events, recs)
    for b in bad:
        print("records_oracle:", pcap.rsplit("/", 1)[-1] + ":", b)
    print("records_oracle:", pcap.rsplit("/", 1)[-1] + ":",
          ", ".join(f"{k} {v}" for k, v in counts.items()),
          "checked" if not bad else "with differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
