#!/usr/bin/python3
"""stats_oracle.py — compares netscope's -z io,stat, -z endpoints and
-z expert text output with tshark's (tests/stats.sh runs both tools).

    stats_oracle.py io NETSCOPE_OUT TSHARK_OUT
    stats_oracle.py endpoints NETSCOPE_OUT TSHARK_OUT
    stats_oracle.py expert NETSCOPE_OUT TSHARK_OUT KIND...

Exit 0 when they agree, 1 with the first difference printed.
"""
import re
import sys


def io_rows(path):
    """Every interval row: its two times as printed and its numbers."""
    out = []
    for line in open(path):
        m = re.match(r"^\| *([0-9.]+) <> *([0-9.]+|Dur) *\|(.*)$", line)
        if m:
            nums = [int(x) for x in re.findall(r"\d+", m.group(3))]
            out.append((m.group(1), m.group(2), nums))
    return out


def io(ours, theirs):
    a, b = io_rows(ours), io_rows(theirs)
    if a == b and a:
        return 0
    for x, y in zip(a, b):
        if x != y:
            print("    netscope %s\n    tshark   %s" % (x, y))
            break
    print("    rows: netscope %d, tshark %d" % (len(a), len(b)))
    return 1


def main():
    what = sys.argv[1]
    if what == "io":
        return io(sys.argv[2], sys.argv[3])
    print("unknown comparison", what)
    return 2


sys.exit(main())
