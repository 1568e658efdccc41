#!/usr/bin/env python3
"""Turn every packet of a set of captures into a seed for fuzz/fuzz_packet.

    fuzz/make-seeds.py [-o OUTDIR] [--max-per-file N] PATH...

PATH is a capture file or a directory searched recursively for *.pcap,
*.pcapng, *.cap (typically tests/pcaps and ../shared/corpus).  Each packet
becomes one file in OUTDIR (default fuzz/seeds), named by the SHA-1 of its
contents so duplicates collapse, laid out as fuzz_packet.c expects:

    byte 0   selector: link type index (bits 0-3); bits 4-6 = 1 when the
             packet was cut by the snap length (caplen < len)
    byte 1.. the captured bytes

Packets of link types netscope does not dissect are skipped.

This is a test tool, so it reads pcap and pcapng itself (stdlib only); the
product reads captures through libpcap.
"""

import argparse
import hashlib
import os
import struct
import sys

# Link type -> selector index; the order is link_types[] in fuzz_packet.c.
SELECTOR = {
    1: 0,  # EN10MB
    0: 1,  # NULL
    108: 2,  # LOOP
    12: 3,  # RAW
    14: 3,  # RAW (OpenBSD): same dissector as 12
    101: 4,  # RAW as stored in files
    228: 5,  # IPV4
    229: 6,  # IPV6
    113: 7,  # LINUX_SLL
    276: 8,  # LINUX_SLL2
}

CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".dmp")


class CaptureError(Exception):
    pass


def read_pcap(data):
    """Yields (linktype, caplen, len, bytes) from a classic pcap file."""
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise CaptureError("not a pcap file")
    if len(data) < 24:
        raise CaptureError("short pcap header")
    linktype = struct.unpack_from(e + "I", data, 20)[0] & 0x03FFFFFF
    off = 24
    rec = struct.Struct(e + "IIII")
    while off + 16 <= len(data):
        _, _, caplen, wirelen = rec.unpack_from(data, off)
        off += 16
        if caplen > 0x40000 or off + caplen > len(data):
            break  # damaged record: stop as libpcap would
        yield linktype, caplen, wirelen, data[off:off + caplen]
        off += caplen


def read_pcapng(data):
    """Yields (linktype, caplen, len, bytes) from a pcapng file (EPB, SPB,
    and the obsolete Packet Block), section by section."""
    off = 0
    e = "<"
    ifaces = []
    while off + 12 <= len(data):
        btype = struct.unpack_from(e + "I", data, off)[0]
        if btype == 0x0A0D0D0A:  # Section Header Block: sets byte order
            bom = data[off + 8:off + 12]
            if bom == b"\x4d\x3c\x2b\x1a":
                e = "<"
            elif bom == b"\x1a\x2b\x3c\x4d":
                e = ">"
            else:
                raise CaptureError("bad pcapng byte-order magic")
            ifaces = []
        blen = struct.unpack_from(e + "I", data, off + 4)[0]
        if blen < 12 or blen % 4 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 8:  # Interface Description Block
            lt, _, snap = struct.unpack_from(e + "HHI", body, 0)
            ifaces.append(lt)
        elif btype == 6 and len(body) >= 20:  # Enhanced Packet Block
            ifid, _, _, caplen, wirelen = struct.unpack_from(e + "IIIII", body, 0)
            if ifid < len(ifaces) and 20 + caplen <= len(body):
                yield ifaces[ifid], caplen, wirelen, body[20:20 + caplen]
        elif btype == 3 and len(body) >= 4 and ifaces:  # Simple Packet Block
            wirelen = struct.unpack_from(e + "I", body, 0)[0]
            caplen = min(wirelen, len(body) - 4)
            yield ifaces[0], caplen, wirelen, body[4:4 + caplen]
        elif btype == 2 and len(body) >= 20:  # Packet Block (obsolete)
            ifid = struct.unpack_from(e + "H", body, 0)[0]
            caplen, wirelen = struct.unpack_from(e + "II", body, 12)
            if ifid < len(ifaces) and 20 + caplen <= len(body):
                yield ifaces[ifid], caplen, wirelen, body[20:20 + caplen]
        off += blen


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(data)
    return read_pcap(data)


def capture_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(CAPTURE_EXT):
                        yield os.path.join(root, name)
        elif os.path.isfile(p):
            yield p
        else:
            print(f"make-seeds: {p}: no such file or directory", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "seeds"),
        help="seed directory (default: fuzz/seeds)")
    ap.add_argument("--max-per-file", type=int, default=500,
                    help="at most this many packets from one capture "
                    "(default 500; 0 = all)")
    ap.add_argument("paths", nargs="+", help="captures or directories")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    nfiles = nseeds = nskipped = nnew = 0
    for path in capture_files(args.paths):
        nfiles += 1
        taken = 0
        try:
            for linktype, caplen, wirelen, pkt in packets(path):
                sel = SELECTOR.get(linktype)
                if sel is None:
                    nskipped += 1
                    continue
                if caplen < wirelen:
                    sel |= 1 << 4
                seed = bytes([sel]) + pkt
                name = hashlib.sha1(seed).hexdigest()
                dest = os.path.join(args.out, name)
                if not os.path.exists(dest):
                    with open(dest, "wb") as f:
                        f.write(seed)
                    nnew += 1
                nseeds += 1
                taken += 1
                if args.max_per_file and taken >= args.max_per_file:
                    break
        except (CaptureError, struct.error) as exc:
            print(f"make-seeds: {path}: {exc}", file=sys.stderr)
    print(f"make-seeds: {nfiles} captures, {nseeds} packets -> {args.out} "
          f"({nnew} new seeds), {nskipped} packets of other link types skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
