#!/usr/bin/python3
"""Convert a real Ethernet-framed loopback capture to LINKTYPE_NULL.

  eth-to-null.py IN.pcap OUT.pcap

Linux cannot capture with LINKTYPE_NULL (0): that is the BSD loopback
encapsulation, a 4-byte address family in the capturing host's byte order
in front of each IP packet.  To test that code path on real traffic, this
script takes a capture that tcpdump made on a Linux lo (LINKTYPE_ETHERNET,
all-zero MACs) and rewrites only the link-layer header of each record:

  the 14-byte Ethernet header   ->  4-byte family, little-endian
  ethertype 0x0800 (IPv4)       ->  2  (AF_INET)
  ethertype 0x86dd (IPv6)       ->  24 (AF_INET6 as NetBSD/OpenBSD write it;
                                        what Wireshark calls BSD_AF_INET6_BSD)

The IP packets themselves, the timestamps and the order are kept byte for
byte, and each record's captured and original lengths shrink by 10.  The
result is therefore a conversion of real traffic, not invented bytes: the
same packets as if captured on a little-endian BSD's lo0.  Frames with any
other ethertype are an error.  Standard library only; reads classic pcap in
either byte order and either timestamp precision, writes little-endian pcap
with the input's timestamp precision.
"""
import struct
import sys

MAGIC_US, MAGIC_NS = 0xA1B2C3D4, 0xA1B23C4D
LINKTYPE_ETHERNET, LINKTYPE_NULL = 1, 0
FAMILY = {0x0800: 2, 0x86DD: 24}


def convert(src, dst):
    hdr = src.read(24)
    if len(hdr) != 24:
        sys.exit("short pcap header")
    for order in "<>":
        magic = struct.unpack(order + "I", hdr[:4])[0]
        if magic in (MAGIC_US, MAGIC_NS):
            break
    else:
        sys.exit("not a classic pcap file")
    vmaj, vmin, _zone, _sigfigs, snaplen, linktype = struct.unpack(
        order + "HHiIII", hdr[4:])
    if linktype != LINKTYPE_ETHERNET:
        sys.exit("input link type is %d, not Ethernet" % linktype)
    dst.write(struct.pack("<IHHiIII", magic, vmaj, vmin, 0, 0, snaplen,
                          LINKTYPE_NULL))
    n = 0
    while True:
        rec = src.read(16)
        if not rec:
            break
        if len(rec) != 16:
            sys.exit("truncated record header")
        sec, frac, incl, orig = struct.unpack(order + "IIII", rec)
        data = src.read(incl)
        n += 1
        if len(data) != incl or incl < 14:
            sys.exit("record %d: truncated or too short" % n)
        ethertype = struct.unpack(">H", data[12:14])[0]
        if ethertype not in FAMILY:
            sys.exit("record %d: ethertype 0x%04x is not IP" % (n, ethertype))
        out = struct.pack("<I", FAMILY[ethertype]) + data[14:]
        dst.write(struct.pack("<IIII", sec, frac, incl - 10, orig - 10))
        dst.write(out)
    return n


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    with open(argv[0], "rb") as src, open(argv[1], "wb") as dst:
        n = convert(src, dst)
    print("converted %d records" % n, file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
