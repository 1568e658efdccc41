#!/usr/bin/python3
"""Writes a synthetic pcap of N TCP SYNs, each from a distinct client
(address and port) to 198.51.100.80:80, none answered, to standard output.

Usage: syn-flood.py N [GAP_US]

The flood test (tests/flood.sh, bench/flood.sh) feeds it to netscope: every
SYN opens a flow that never completes, so the flow table's bounds decide
the memory.  Packets are GAP_US microseconds apart (default 1), so a
million of them span one second of capture time: no idle timeout expires
them, only the --max-flows cap does.
"""
import struct
import sys


def main():
    n = int(sys.argv[1])
    gap = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    out = sys.stdout.buffer
    # pcap header: microseconds, version 2.4, snaplen 65535, Ethernet
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    eth = bytes.fromhex("00005e005302" "00005e005301" "0800")
    dst = bytes([198, 51, 100, 80])
    rec = struct.Struct("<IIII")
    ip = struct.Struct("!BBHHHBBH4s4s")
    tcp = struct.Struct("!HHIIHHHH")
    base = 1700000000
    chunk = []
    for i in range(n):
        # clients 10.x.y.z, 50 ports each: distinct 5-tuples
        host, port = divmod(i, 50)
        src = struct.pack("!I", 0x0A000000 + host + 1)
        t = i * gap
        pkt = (eth
               + ip.pack(0x45, 0, 40, i & 0xFFFF, 0x4000, 64, 6, 0, src, dst)
               + tcp.pack(20000 + port, 80, (i * 2654435761) & 0xFFFFFFFF,
                          0, 0x5002, 64240, 0, 0))
        chunk.append(rec.pack(base + t // 1000000, t % 1000000, len(pkt),
                              len(pkt)))
        chunk.append(pkt)
        if len(chunk) >= 8192:
            out.write(b"".join(chunk))
            chunk = []
    out.write(b"".join(chunk))


if __name__ == "__main__":
    main()
