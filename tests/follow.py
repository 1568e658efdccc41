#!/usr/bin/env python3
"""Reassembled TCP streams against tshark's: for every TCP connection of
every capture, the bytes of each direction from `netscope read -q -z
follow,tcp,raw,N` must equal those of `tshark -q -z follow,tcp,raw,N`.

    follow.py NETSCOPE PCAP...

Chunking may differ (a chunk is whatever became contiguous at once); the
concatenated bytes per direction may not.  Exits 1 on any difference.
"""
import re
import subprocess
import sys


def streams(pcap):
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-e",
                          "tcp.stream"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    return sorted({int(x) for x in out.split() if x.strip().isdigit()})


def parse(text):
    """Bytes per node from a follow,tcp,raw report."""
    data = [bytearray(), bytearray()]
    inside = False
    for line in text.split("\n"):
        if line.startswith("====="):
            inside = not inside if inside else True
            continue
        if not inside or not line or line.startswith(("Follow:", "Filter:",
                                                      "Node ")):
            continue
        node = 1 if line.startswith("\t") else 0
        chunk = bytes.fromhex(line.strip())
        # tshark puts a text note where the capture lost bytes; they are
        # not stream bytes (netscope's raw follow leaves the hole out)
        if re.fullmatch(rb"\[\d+ bytes missing in capture file\]\x00?", chunk):
            continue
        data[node] += chunk
    return data


def main():
    ns, pcaps = sys.argv[1], sys.argv[2:]
    bad = total = 0
    for pcap in pcaps:
        for n in streams(pcap):
            total += 1
            arg = f"follow,tcp,raw,{n}"
            t = subprocess.run(["tshark", "-n", "-r", pcap, "-q", "-z", arg],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL).stdout.decode()
            m = subprocess.run([ns, "read", "-q", pcap, "-z", arg],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL).stdout.decode()
            td, md = parse(t), parse(m)
            if td != md:
                bad += 1
                print(f"{pcap}: stream {n}: tshark {len(td[0])}/{len(td[1])}"
                      f" bytes, netscope {len(md[0])}/{len(md[1])} bytes")
    print(f"{total - bad}/{total} streams reassemble as tshark's")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
