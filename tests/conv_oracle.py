#!/usr/bin/env python3
"""Connections against tshark: for every TCP connection (and UDP flow) of
every capture, `netscope read -q --conversations` must give the same
stream index, endpoints, packets and bytes each way and handshake RTT as
tshark's per-packet fields (tcp.stream, frame.len, initial_rtt), and a
Zeek conn_state equal to the one this script derives independently from
tshark's TCP flags.

    conv_oracle.py [--min PCT] NETSCOPE PCAP...

Prints the connections that disagree and the agreement; exits 1 below
--min percent of connections (default 100).
"""
import argparse
import subprocess
import sys
from collections import OrderedDict


def tshark_rows(pcap, proto):
    f = [f"{proto}.stream", "ip.src", "ipv6.src", f"{proto}.srcport",
         "ip.dst", "ipv6.dst", f"{proto}.dstport", "frame.len",
         "frame.cap_len", "icmp.type", "icmpv6.type"]
    if proto == "tcp":
        f += ["tcp.flags", "tcp.analysis.initial_rtt", "tcp.len"]
    cmd = ["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "occurrence=a"]
    for x in f:
        cmd += ["-e", x]
    out = subprocess.run(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    for line in out.split("\n"):
        c = line.split("\t")
        if len(c) < len(f) or not c[0]:
            continue
        yield c


def ep(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def zeek_state(c):
    """conn_state from per-direction flag history (Zeek's definitions)."""
    o, r = c["flags"][0], c["flags"][1]
    syn = c["syn_first"]
    if not syn and not c["synack"]:
        return "OTH"
    if not c["synack"]:
        if "R" in r:
            return "REJ"
        if "R" in o:
            return "RSTOS0"
        if "F" in o:
            return "SH"
        return "S0"
    if not syn:
        if "R" in r:
            return "RSTRH"
        if "F" in r:
            return "SHR"
        return "OTH"
    if c["resetter"] == 0:
        return "RSTO"
    if c["resetter"] == 1:
        return "RSTR"
    if "F" in o and "F" in r:
        return "SF"
    if "F" in o:
        return "S2"
    if "F" in r:
        return "S3"
    return "S1"


def expected(pcap, proto):
    conns = OrderedDict()
    for c in tshark_rows(pcap, proto):
        if c[9] or c[10]:
            continue  # a header quoted in an ICMP error is no packet of it
        if len([a for a in (c[1] + "," + c[2]).split(",") if a]) != 1 or \
                "," in c[0]:
            continue  # tunnels: -T fields cannot pair inner and outer
        c = c[:8] + c[11:] + [c[8]]  # flags, irtt, len, then cap_len
        idx = int(c[0])
        src = ep(c[1] or c[2], c[3])
        dst = ep(c[4] or c[5], c[6])
        n = conns.get(idx)
        if n is None:
            n = conns[idx] = {"client": src, "server": dst, "pkts": [0, 0],
                              "bytes": [0, 0], "irtt": "", "flags": ["", ""],
                              "syn_first": False, "synack": False,
                              "resetter": None, "snapped": False}
            if proto == "tcp":
                fl = int(c[8], 16)
                if fl & 0x12 == 0x12:  # first seen is a SYN-ACK
                    n["client"], n["server"] = dst, src
                elif fl & 0x02:
                    n["syn_first"] = True
        d = 0 if src == n["client"] else 1
        if int(c[-1]) < int(c[7]):
            n["snapped"] = True  # tshark shows no analysis then
        n["pkts"][d] += 1
        n["bytes"][d] += int(c[7])
        if proto == "tcp":
            fl = int(c[8], 16)
            if c[9] and not n["irtt"]:
                us = int(round(float(c[9]) * 1e6))
                n["irtt"] = "%d.%03d" % divmod(us, 1000)
            if fl & 0x12 == 0x12 and d == 1:
                n["synack"] = True
            if fl & 0x01:
                n["flags"][d] += "F"
            if fl & 0x04:
                n["flags"][d] += "R"
                if n["resetter"] is None and (n["synack"] or
                                              not n["syn_first"]):
                    n["resetter"] = d
    return conns


def netscope_conns(ns, pcap):
    out = subprocess.run([ns, "read", "-q", "--conversations", pcap],
                         stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    res = {"tcp": {}, "udp": {}}
    section = None
    for line in out.split("\n"):
        if line.startswith("TCP conversations"):
            section = "tcp"
            continue
        if line.startswith("UDP conversations"):
            section = "udp"
            continue
        if line.startswith("QUIC connections"):
            section = None  # a connection over its paths: not tshark's
            continue
        w = line.split()
        if not section or not w or not w[0].isdigit():
            continue
        if section == "tcp":
            res["tcp"][int(w[0])] = {
                "client": w[1], "server": w[2], "state": w[3],
                "irtt": "" if w[5] == "-" else w[5],
                "pkts": [int(w[7]), int(w[9])],
                "bytes": [int(w[8]), int(w[10])]}
        else:
            res["udp"][int(w[0])] = {
                "client": w[1], "server": w[2],
                "pkts": [int(w[4]), int(w[6])],
                "bytes": [int(w[5]), int(w[7])]}
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--min", type=float, default=100.0)
    ap.add_argument("netscope")
    ap.add_argument("pcaps", nargs="+")
    a = ap.parse_args()
    total = good = 0
    by_proto = {"tcp": [0, 0], "udp": [0, 0]}
    for pcap in a.pcaps:
        got = netscope_conns(a.netscope, pcap)
        for proto in ("tcp", "udp"):
            for idx, e in expected(pcap, proto).items():
                total += 1
                by_proto[proto][1] += 1
                g = got[proto].get(idx)
                why = []
                if g is None:
                    why.append("missing")
                else:
                    for k in ("client", "server", "pkts", "bytes"):
                        if g[k] != e[k]:
                            why.append(f"{k} {g[k]} != {e[k]}")
                    if proto == "tcp":
                        if g["irtt"] != e["irtt"] and not e["snapped"]:
                            why.append(f"irtt {g['irtt']} != {e['irtt']}")
                        st = zeek_state(e)
                        if g["state"] != st:
                            why.append(f"state {g['state']} != {st}")
                if why:
                    print(f"{pcap}: {proto}.stream {idx}: " + "; ".join(why))
                else:
                    good += 1
                    by_proto[proto][0] += 1
    for proto, (g, t) in by_proto.items():
        if t:
            print(f"{proto}: {g}/{t} agree ({100.0 * g / t:.2f}%)")
    pct = 100.0 * good / total if total else 100.0
    print(f"{good}/{total} connections agree ({pct:.2f}%)")
    return 0 if pct >= a.min else 1


if __name__ == "__main__":
    sys.exit(main())
