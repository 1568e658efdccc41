#!/usr/bin/env python3
"""tshark as an oracle: compare netscope's fields with tshark's, per packet.

    oracle.py [--min PCT] [--show N] [--two-pass] NETSCOPE PCAP...

For every packet of every capture, the fields below are read with
`netscope read -T fields` and `tshark -T fields` and compared as strings
(after normalising tshark's spelling of hex and booleans).  A packet agrees
when every field agrees.  Prints per-file and total agreement; exits 1 when
the total falls below --min percent (default 100).

tshark is run with IP reassembly off: netscope flags fragments and does not
reassemble them (yet), and reassembly moves transport fields to the last
fragment.  TCP reassembly stays on: both tools show an application message
on the packet that completes it.

With --two-pass both tools read each capture twice (-2), so a packet can
name a later one (dns.response_in, http.response_in).  --tally FIELD
prints how many of the compared packets where either tool has FIELD
agree on it.
"""
import argparse
import calendar
import os
import re
import struct
import subprocess
import sys

FIELDS = [
    "frame.len", "frame.cap_len",
    "eth.src", "eth.dst", "eth.type",
    "vlan.id",
    "ip.src", "ip.dst", "ip.len", "ip.proto", "ip.ttl",
    "ipv6.src", "ipv6.dst", "ipv6.plen", "ipv6.nxt",
    "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.len", "tcp.hdr_len",
    "udp.srcport", "udp.dstport", "udp.length",
    "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code",
    "arp.opcode",
]

# IP fragments are reassembled by both (tshark's default)
TSHARK_OPTS = ["-o", "tcp.try_heuristic_first:FALSE"]


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, TZ="UTC"))
    return p.returncode, p.stdout.decode("utf-8", "replace")


MONTHS = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
ABSTIME = re.compile(r"^([A-Z][a-z]{2}) +(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)"
                     r"\.(\d{9}) UTC$")


def abstime(v):
    """tshark's absolute times ("Feb 19, 2013 10:55:12.000000000 UTC",
    with TZ=UTC) as epoch seconds, netscope's spelling."""
    m = ABSTIME.match(v)
    if not m or m.group(1) not in MONTHS:
        return v
    t = calendar.timegm((int(m.group(3)), MONTHS[m.group(1)], int(m.group(2)),
                         int(m.group(4)), int(m.group(5)), int(m.group(6))))
    return f"{t}.{m.group(7)}"


def map_entry_name(m):
    """Wireshark names a map field's entry type "<field>MapEntry"; protoc
    (and so a descriptor set) names it as protoc does: the field name in
    CamelCase without underscores, then "Entry"."""
    parts = m.group(1).split("_")
    return "." + "".join(p[:1].upper() + p[1:] for p in parts) + "Entry"


def norm(field, value):
    if field == "protobuf.message.name":
        value = re.sub(r"\.(\w+)MapEntry(?=,|$)", map_entry_name, value)
    # absolute times contain a comma: join them back before splitting
    value = re.sub(r"([A-Z][a-z]{2} +\d+), (\d{4} )", r"\1 \2", value)
    vals = [v for v in value.split(",") if v != ""]
    out = []
    for v in vals:
        v = abstime(re.sub(r"^([A-Z][a-z]{2} +\d+) (\d{4} )", r"\1, \2", v))
        # an item tshark shows for bytes that are not there (a DNS cookie
        # without its server part): no value
        if v == "<MISSING>":
            continue
        # tshark escapes a byte of a string as \ooo (octal), netscope as
        # \xHH; netscope also doubles a backslash, tshark does not
        v = v.replace("\\\\", "\\")
        v = re.sub(r"\\([0-3][0-7]{2})",
                   lambda m: "\\x%02x" % int(m.group(1), 8), v)
        if v.startswith("0x"):
            try:
                v = str(int(v, 16))
            except ValueError:
                pass
        out.append(v.lower())
    return ",".join(out)


def rows(text, n):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [l.split("\t") + [""] * (n - len(l.split("\t"))) for l in lines]


def clamped_frames(path):
    """Frame numbers (1-based) of a classic pcap file whose record claims
    more captured bytes than the file's snap length.  libpcap, which
    netscope reads captures with, keeps only snaplen bytes of those (and
    reports that caplen); tshark's own reader keeps them all.  Such records
    only occur in damaged or fuzzed files; they are counted, not compared."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return set()
    if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif data[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return set()
    if len(data) < 24:
        return set()
    snaplen = struct.unpack_from(e + "I", data, 16)[0]
    out, off, n = set(), 24, 0
    while off + 16 <= len(data):
        caplen = struct.unpack_from(e + "I", data, off + 8)[0]
        n += 1
        if caplen > snaplen:
            out.add(n)
        off += 16 + caplen
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--min", type=float, default=100.0)
    ap.add_argument("--show", type=int, default=5)
    ap.add_argument("--fields", default=",".join(FIELDS))
    ap.add_argument("--tshark-arg", action="append", default=[],
                    help="extra tshark argument (e.g. -d tcp.port==N,http)")
    ap.add_argument("--netscope-arg", action="append", default=[],
                    help="extra netscope argument (e.g. "
                    "--proto-descriptor=FILE)")
    ap.add_argument("--skip-tshark", default=None, metavar="FIELD=VALUE",
                    help="leave out packets where tshark's FIELD has VALUE "
                    "among its values (counted and reported)")
    ap.add_argument("--require", default=None,
                    help="compare only packets where tshark has this field "
                    "(e.g. tcp.stream: leave QUIC out of a TLS comparison)")
    ap.add_argument("--only", default=None,
                    help="compare only packets where either tool has this "
                    "field (e.g. dns.flags: the DNS messages)")
    ap.add_argument("--two-pass", action="store_true",
                    help="run both tools with -2 (two-pass analysis)")
    ap.add_argument("--tally", action="append", default=[],
                    help="print the agreement on this field alone, over the "
                    "compared packets where either tool has it")
    ap.add_argument("netscope")
    ap.add_argument("pcaps", nargs="+")
    a = ap.parse_args()
    fields = a.fields.split(",")
    for f in a.tally:
        if f not in fields:
            fields.append(f)
    tally = {f: [0, 0] for f in a.tally}  # agree, total
    two = ["-2"] if a.two_pass else []
    if a.require and a.require not in fields:
        fields.append(a.require)
    if a.only and a.only not in fields:
        fields.append(a.only)
    skip_f = skip_v = None
    if a.skip_tshark:
        skip_f, skip_v = a.skip_tshark.split("=", 1)
        if skip_f not in fields:
            fields.append(skip_f)
    nskip_tshark = 0
    eargs = []
    for f in fields:
        eargs += ["-e", f]
    total = agree = nclamped = 0
    per_field = {f: 0 for f in fields}
    for pcap in a.pcaps:
        rc1, ns = run([a.netscope, "read"] + two + [pcap, "-T", "fields"] +
                      a.netscope_arg + eargs)
        rc2, ts = run(["tshark", "-n"] + two + ["-r", pcap, "-T", "fields"] +
                      TSHARK_OPTS + a.tshark_arg + eargs)
        nsr, tsr = rows(ns, len(fields)), rows(ts, len(fields))
        if len(nsr) != len(tsr):
            print(f"{pcap}: packet count differs: netscope {len(nsr)} "
                  f"tshark {len(tsr)}")
        n = min(len(nsr), len(tsr))
        file_agree = 0
        shown = 0
        clamped = clamped_frames(pcap)
        skipped = 0
        for i in range(n):
            if i + 1 in clamped:
                nclamped += 1
                skipped += 1
                continue
            if a.require and not tsr[i][fields.index(a.require)]:
                skipped += 1
                continue
            if a.only and not (nsr[i][fields.index(a.only)] or
                               tsr[i][fields.index(a.only)]):
                skipped += 1
                continue
            if skip_f and skip_v in tsr[i][fields.index(skip_f)].split(","):
                skipped += 1
                nskip_tshark += 1
                continue
            bad = [f for j, f in enumerate(fields)
                   if norm(f, nsr[i][j]) != norm(f, tsr[i][j])]
            for f, t in tally.items():
                j = fields.index(f)
                if nsr[i][j] or tsr[i][j]:
                    t[1] += 1
                    t[0] += f not in bad
            for f in bad:
                per_field[f] += 1
            if not bad:
                file_agree += 1
            elif shown < a.show:
                shown += 1
                for f in bad:
                    j = fields.index(f)
                    print(f"{pcap}: frame {i + 1}: {f}: netscope "
                          f"'{nsr[i][j]}' tshark '{tsr[i][j]}'")
        count = max(len(nsr), len(tsr)) - skipped
        if a.only:  # rows only one tool has count when they have the field
            k = fields.index(a.only)
            count -= sum(1 for r in nsr[n:] + tsr[n:] if not r[k])
        total += count
        agree += file_agree
        if file_agree != count:
            print(f"{pcap}: {file_agree}/{count} agree")
    pct = 100.0 * agree / total if total else 100.0
    if nclamped:
        print(f"not compared: {nclamped} packets whose pcap record claims "
              f"more bytes than the file's snap length (libpcap keeps "
              f"snaplen bytes, tshark all)")
    if nskip_tshark:
        print(f"not compared: {nskip_tshark} packets where tshark's "
              f"{skip_f} is {skip_v}")
    what = "packets with " + a.only if a.only else "packets"
    print(f"TOTAL: {agree}/{total} {what} agree ({pct:.3f}%)")
    for f, c in sorted(per_field.items(), key=lambda x: -x[1]):
        if c:
            print(f"  {f}: {c} disagreements")
    for f, (ok, n) in tally.items():
        print(f"{f}: {ok}/{n} packets with it agree")
    return 0 if pct >= a.min else 1


if __name__ == "__main__":
    sys.exit(main())
