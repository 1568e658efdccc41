#!/usr/bin/python3
"""stats_oracle.py — compares netscope's -z io,stat, -z endpoints and
-z expert text output with tshark's (tests/stats.sh runs both tools).

    stats_oracle.py io NETSCOPE_OUT TSHARK_OUT
    stats_oracle.py endpoints NETSCOPE_OUT TSHARK_OUT
    stats_oracle.py expert NETSCOPE_OUT TSHARK_OUT
    stats_oracle.py malformed NETSCOPE_OUT TSHARK_OUT equal|atleast

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


def ep_tables(path):
    """Each table ("IPv4", "TCP", ...): its rows (address, port when
    there is one, six numbers) in order."""
    out, cur = {}, None
    for line in open(path):
        m = re.match(r"^(\S+) Endpoints$", line)
        if m:
            cur = out.setdefault(m.group(1), [])
            continue
        f = line.split()
        if cur is not None and len(f) in (7, 8) and \
                all(x.isdigit() for x in f[-6:]):
            cur.append(tuple(f))
    return out


def endpoints(ours, theirs):
    a, b = ep_tables(ours), ep_tables(theirs)
    if a == b and a:
        return 0
    if sorted(a) != sorted(b):
        print("    tables: netscope %s, tshark %s" % (sorted(a), sorted(b)))
        return 1
    for k in a:
        for i, (x, y) in enumerate(zip(a[k], b[k])):
            if x != y:
                print("    %s row %d: netscope %s\n    tshark %s" %
                      (k, i + 1, x, y))
                break
        if len(a[k]) != len(b[k]):
            print("    %s rows: netscope %d, tshark %d" %
                  (k, len(a[k]), len(b[k])))
    return 1


def expert_rows(path, ours):
    """{(severity, group, protocol, summary): count} of a -z expert."""
    out, sev = {}, None
    for line in open(path):
        m = re.match(r"^(Errors|Warns|Notes|Chats|Comments) \(\d+\)$", line)
        if m:
            sev = m.group(1)
            continue
        pat = (r"^ *(\d+) +(\S+) +(\S+) +\d+  (.*)$" if ours
               else r"^ *(\d+) +(\S+) +(\S+)  (.*)$")
        m = re.match(pat, line.rstrip("\n"))
        if sev and m and m.group(2) != "Group":
            out[(sev, m.group(2), m.group(3), m.group(4))] = int(m.group(1))
    return out


# The kinds both tools flag, as (group, protocol, summary pattern): TCP's
# connection flags and SEQ/ACK analysis, which netscope computes as
# Wireshark does (tests/oracle.sh checks the fields frame by frame).  Not
# compared: tshark's "D-SACK Sequence" (netscope has no such flag), netscope's
# own kinds (HPACK context lost, TLS alerts, decryption failed, truncated),
# and malformed packets, which expert_malformed() compares apart.
SHARED = [
    ("Sequence", "TCP", r"Connection establish (request|acknowledge) .*"),
    ("Sequence", "TCP", r"Connection (finish \(FIN\)|reset \(RST\))"),
    ("Sequence", "TCP", r"Duplicate ACK \(#\d+\)"),
    ("Sequence", "TCP", r"This frame is a \(suspected\) "
                        r"(fast |spurious )?retransmission"),
    ("Sequence", "TCP", r"This frame is a \(suspected\) out-of-order segment"),
    ("Sequence", "TCP", r"(Previous segment\(s\) not|ACKed segment that "
                        r"wasn't) captured .*"),
    ("Sequence", "TCP", r"TCP (window update|window specified .*|keep-alive "
                        r"segment|Zero Window segment|Zero Window Probe)"),
    ("Sequence", "TCP", r"ACK to a TCP (keep-alive segment|Zero Window Probe)"),
    ("Sequence", "TCP", r"A new tcp session is started with the same ports.*"),
    ("Sequence", "TCP", r"This frame (initiates|undergoes) the connection "
                        r"closing"),
]


def shared(rows):
    return {k: v for k, v in rows.items()
            if any(k[1] == g and k[2] == p and re.fullmatch(pat, k[3])
                   for g, p, pat in SHARED)}


def expert(ours, theirs):
    a, b = expert_rows(ours, True), expert_rows(theirs, False)
    sa, sb = shared(a), shared(b)
    if sa == sb:
        return 0
    for k in sorted(set(sa) | set(sb)):
        if sa.get(k) != sb.get(k):
            print("    %s: netscope %s, tshark %s" % (k, sa.get(k), sb.get(k)))
    return 1


def malformed(rows):
    return sum(v for k, v in rows.items()
               if k[0] == "Errors" and k[1] == "Malformed")


def expert_malformed(ours, theirs, how):
    """Malformed packets: equal counts ("equal"), or netscope flags at
    least tshark's ("atleast")."""
    a = malformed(expert_rows(ours, True))
    b = malformed(expert_rows(theirs, False))
    if (a == b) if how == "equal" else (a >= b > 0):
        return 0
    print("    malformed: netscope %d, tshark %d (%s)" % (a, b, how))
    return 1


def main():
    what = sys.argv[1]
    if what == "io":
        return io(sys.argv[2], sys.argv[3])
    if what == "endpoints":
        return endpoints(sys.argv[2], sys.argv[3])
    if what == "expert":
        return expert(sys.argv[2], sys.argv[3])
    if what == "malformed":
        return expert_malformed(sys.argv[2], sys.argv[3], sys.argv[4])
    print("unknown comparison", what)
    return 2


sys.exit(main())
