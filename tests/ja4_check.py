#!/usr/bin/env python3
"""JA4 against the reference outputs of the public JA4 test captures.

    ja4_check.py [--show N] NETSCOPE DIR

DIR holds captures and expected/<capture>.json (the reference
implementation's output: a list of connections with "stream" and keys
"JA4.n" / "JA4_r.n" for the n-th ClientHello of that stream).  Only the
JA4 and JA4_r keys of TCP connections (fingerprints starting with "t")
are compared; other keys belong to methods netscope does not implement.
Prints per-capture and total agreement; exits 1 on any mismatch.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys


def netscope(ns, pcap):
    out = subprocess.run([ns, "read", pcap, "-T", "fields", "-e", "tcp.stream",
                          "-e", "tls.handshake.ja4", "-e",
                          "tls.handshake.ja4_r"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    got = {}
    for line in out.split("\n"):
        c = line.split("\t")
        if len(c) < 3 or not c[1]:
            continue
        s = int(c[0])
        # several ClientHellos in one packet are joined with ","; a raw
        # fingerprint has commas of its own but starts with "t"
        for a, r in zip(c[1].split(","), re.split(r",(?=t)", c[2])):
            got.setdefault(s, []).append((a, r))
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", type=int, default=5)
    ap.add_argument("netscope")
    ap.add_argument("dir")
    a = ap.parse_args()
    total = good = 0
    for exp in sorted(glob.glob(os.path.join(a.dir, "expected", "*.json"))):
        pcap = os.path.join(a.dir, os.path.basename(exp)[:-5])
        if not os.path.exists(pcap):
            continue
        got = netscope(a.netscope, pcap)
        n = ok = shown = 0
        for conn in json.load(open(exp)):
            for k, v in conn.items():
                if not k.startswith("JA4.") or not v.startswith("t"):
                    continue
                i = int(k.split(".")[1]) - 1
                raw = conn.get("JA4_r." + k.split(".")[1], "")
                mine = got.get(conn.get("stream"), [])
                have = mine[i] if i < len(mine) else ("", "")
                n += 1
                if have == (v, raw):
                    ok += 1
                elif shown < a.show:
                    shown += 1
                    print(f"{os.path.basename(pcap)}: stream "
                          f"{conn.get('stream')} #{i + 1}: expected {v} "
                          f"{raw}\n    netscope {have[0]} {have[1]}")
        if n:
            print(f"{os.path.basename(pcap)}: {ok}/{n}")
        total += n
        good += ok
    print(f"TOTAL: {good}/{total} JA4 fingerprints agree")
    return 0 if good == total else 1


if __name__ == "__main__":
    sys.exit(main())
