#!/usr/bin/env python3
"""tests/clickhouse.sh's checks against a running ClickHouse server.

  clickhouse_oracle.py nearest-rank CLIENT...
      ClickHouse's quantileExact(p) is the element floor(p*n) (0-based) of
      the sorted values; netscope's percentiles are nearest-rank, the
      ceil(p*n)-th (1-based).  quantileExact(p - 1e-9) is then nearest-rank
      for n <= 1e5 and p = .5, .9, .99 (p*n is a whole number or at least
      0.01 above one, and n*1e-9 <= 1e-4 < 0.01): checked for every n up
      to 1000 and a few up to 1e5.

  clickhouse_oracle.py compare CLIENT... -- SENSOR:RECORDS:SRT...
      For each sensor, the rows of each table are the lines of that record
      type in its records file (0 rejected, none twice), and per gRPC
      method the server's count, status mix, min, nearest-rank p50, p90,
      p99, max of the latency (and the time to the first message of
      streaming methods) are netscope's own -z grpc,srt (SRT, -T ndjson),
      the quantiles rounded as netscope prints them (ms, 2 decimals).
      SRT may be empty: rows only.

  clickhouse_oracle.py queries CLIENT... -- FILE
      Every query of FILE (contrib/clickhouse/queries.sql) runs and
      answers at least one row.

CLIENT is the clickhouse-client command line (program and options).
Prints what differs and exits 1 when anything does.
"""
import json
import subprocess
import sys

# the levels given to quantileExact: p - 1e-9, as literals (18.16 takes
# only literals as an aggregate function's parameters)
LEVELS = (("p50", 50, "0.499999999"), ("p90", 90, "0.899999999"),
          ("p99", 99, "0.989999999"))
TYPES = ("conn", "dns", "tls", "http", "grpc", "sse")
# gRPC status codes (grpc/grpc doc/statuscodes.md), as -z grpc,srt names them
STATUS = ("OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND "
          "ALREADY_EXISTS PERMISSION_DENIED RESOURCE_EXHAUSTED "
          "FAILED_PRECONDITION ABORTED OUT_OF_RANGE UNIMPLEMENTED INTERNAL "
          "UNAVAILABLE DATA_LOSS UNAUTHENTICATED").split()


def query(client, sql):
    out = subprocess.run(client + ["--query", sql + " FORMAT JSONEachRow"],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line]


def nearest_rank(client):
    sql = ("SELECT n, quantilesExact({})(x) AS q FROM (SELECT n, "
           "arrayJoin(range(n)) + 1 AS x FROM (SELECT number + 1 AS n FROM "
           "numbers(1000))) GROUP BY n UNION ALL SELECT n, "
           "quantilesExact({})(number + 1) AS q FROM numbers(100000) "
           "ARRAY JOIN [10007, 65536, 99999, 100000] AS n WHERE number < n "
           "GROUP BY n").format(*[",".join(l[2] for l in LEVELS)] * 2)
    rows = query(client, sql)
    bad = 0
    for r in rows:
        n = int(r["n"])
        # values 1..n: the nearest-rank value is the rank, ceil(p*n/100)
        want = [-(-p * n // 100) for _, p, _ in LEVELS]
        if [int(v) for v in r["q"]] != want:
            bad += 1
            if bad < 5:
                print("nearest rank, n=%d: ClickHouse %s, want %s" %
                      (n, r["q"], want))
    if len(rows) != 1004:
        print("nearest rank: %d sizes answered, want 1004" % len(rows))
        return 1
    return 1 if bad else 0


def ms(ns):
    """ns as netscope prints it: ms rounded half up to 10 us."""
    if ns is None:
        return None
    h = (int(ns) + 5000) // 10000
    return float("%d.%02d" % (h // 100, h % 100))


def status_mix(codes):
    """The status column of -z grpc,srt from {code: count}."""
    named, other = [], 0
    for code in sorted(codes):
        if 0 <= code < len(STATUS):
            named.append("%s:%d" % (STATUS[code], codes[code]))
        else:
            other += codes[code]
    if other:
        named.append("other:%d" % other)
    return " ".join(named)


def lines_by_type(path):
    n = dict.fromkeys(TYPES, 0)
    with open(path) as f:
        for line in f:
            if line.strip():
                n[json.loads(line)["record"]] += 1
    return n


def check_counts(client, sensor, records):
    want = lines_by_type(records)
    fails = 0
    for t in TYPES:
        got = query(client, "SELECT count() AS n FROM netscope.%s WHERE "
                    "sensor = '%s'" % (t, sensor))[0]["n"]
        if int(got) != want[t]:
            print("%s: %s rows in ClickHouse %s, records %d" %
                  (sensor, t, got, want[t]))
            fails += 1
    return fails, want


def srt_rows(path):
    with open(path) as f:
        table = json.loads(f.read())
    cols = table["columns"]
    return {r[0]: dict(zip(cols, r)) for r in table["rows"]}


def server_rows(client, sensor):
    ns = "toInt64(round({} * 1e9))"
    levels = ",".join(l[2] for l in LEVELS)
    sql = ("SELECT method, count() AS calls, groupArray(ifNull(status, -1)) AS st, "
           "min({lat}) AS min, quantilesExact({lv})({lat}) AS q, "
           "max({lat}) AS max, quantilesExact({lv})({ttfm}) AS tq, "
           "max(greatest(request_messages, response_messages)) AS msgs "
           "FROM netscope.grpc WHERE sensor = '{s}' GROUP BY method"
           ).format(lat=ns.format("latency"), ttfm=ns.format("ttfm"),
                    lv=levels, s=sensor)
    out = {}
    for r in query(client, sql):
        codes = {}
        for s in r["st"]:
            codes[int(s)] = codes.get(int(s), 0) + 1
        row = {"calls": int(r["calls"]), "status": status_mix(codes),
               "errors": int(r["calls"]) - codes.get(0, 0),
               "min": ms(r["min"]), "max": ms(r["max"])}
        for (name, _, _), v in zip(LEVELS, r["q"] or [None] * 3):
            row[name] = ms(v)
        streaming = int(r["msgs"]) > 1
        for (name, p, _), v in zip(LEVELS, r["tq"] or [None] * 3):
            if p in (50, 99):
                row["ttfm_" + name] = ms(v) if streaming else None
        out[r["method"]] = row
    return out


def check_methods(client, sensor, srt):
    want = srt_rows(srt)
    got = server_rows(client, sensor)
    fails = 0
    if sorted(got) != sorted(want):
        print("%s: methods in ClickHouse %s, grpc,srt %s" %
              (sensor, sorted(got), sorted(want)))
        return 1
    for m in sorted(want):
        for k, v in got[m].items():
            if want[m][k] != v:
                print("%s %s %s: ClickHouse %r, grpc,srt %r" %
                      (sensor, m, k, v, want[m][k]))
                fails += 1
    return fails


def compare(client, specs):
    fails = 0
    calls = 0
    for spec in specs:
        sensor, records, srt = spec.split(":", 2)
        f, n = check_counts(client, sensor, records)
        fails += f
        if srt:
            fails += check_methods(client, sensor, srt)
        calls += n["grpc"]
    if calls == 0:
        print("no gRPC records at all: nothing compared")
        fails += 1
    return 1 if fails else 0


def queries(client, path):
    with open(path) as f:
        text = "".join(l for l in f if not l.lstrip().startswith("--"))
    fails = 0
    sqls = [q.strip() for q in text.split(";") if q.strip()]
    for sql in sqls:
        r = subprocess.run(client + ["--query", sql], capture_output=True,
                           text=True)
        if r.returncode or not r.stdout.strip():
            print("query answers %s: %s\n%s" %
                  ("nothing" if not r.returncode else "an error", sql,
                   r.stderr.strip()))
            fails += 1
    return 1 if fails or not sqls else 0


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "nearest-rank":
        return nearest_rank(sys.argv[2:])
    if len(sys.argv) > 2 and sys.argv[1] == "compare" and "--" in sys.argv:
        i = sys.argv.index("--")
        return compare(sys.argv[2:i], sys.argv[i + 1:])
    if len(sys.argv) > 2 and sys.argv[1] == "queries" and "--" in sys.argv:
        i = sys.argv.index("--")
        return queries(sys.argv[2:i], sys.argv[i + 1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
