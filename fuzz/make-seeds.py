#!/usr/bin/env python3
"""Turn every packet of a set of captures into a seed for fuzz/fuzz_packet.

    fuzz/make-seeds.py [-o OUTDIR] [--max-per-file N] PATH...

PATH is a capture file or a directory searched recursively for *.pcap,
*.pcapng, *.cap (typically tests/pcaps and ../shared/corpus).  Each packet
becomes one file in OUTDIR (default fuzz/seeds), named by the SHA-1 of its
contents so duplicates collapse, laid out as fuzz_packet.c expects:

    byte 0     selector: kind 0 (one packet); bits 0-2 = 1 when the
               packet was cut by the snap length (caplen < len)
    bytes 1-2  link type, little-endian
    bytes 3..  the captured bytes

and each TCP connection and UDP flow over IPv4/IPv6 (Ethernet, Linux
cooked, loopback and raw IP captures) becomes one more seed of kind 1
(TCP) or 2 (UDP): the server port, then its payloads in capture order as
[ctl][len][bytes] segments (ctl bit 0: direction, bit 7: two length
bytes), cut at 64 KiB.

With --target, seeds for the other targets (fuzz/README.md):

    read     each capture file whole (up to 256 KiB), three times, behind
             option bytes 0x0f, 0x62 and 0xb8 (fuzz_read.c says what each
             bit turns on), and once gzip-compressed behind 0x0f (the
             decompressors: zstd and lz4 are found from gzip's example
             and the magic numbers' comparisons)
    http2    each TCP connection that starts with the HTTP/2 preface, as
             fuzz_http2.c's chunks (byte 0 odd: the preface is in the data)
    tls      each TCP connection that starts with a TLS handshake record,
             as fuzz_tls.c's chunks of at most 128 bytes
    dfilter  the filters of tests/filter_oracle.py, one per seed (PATH is
             ignored)

This is a test tool, so it reads pcap and pcapng itself (stdlib only); the
product reads captures through libpcap.
"""

import ast

import argparse
import gzip
import hashlib
import os
import struct
import sys

MAX_SEED = 65535

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


def ip_offset(linktype, pkt):
    """Offset of the IP header for the link types flows are taken from,
    or None."""
    if linktype == 1 and len(pkt) >= 14:
        off, etype = 14, struct.unpack_from(">H", pkt, 12)[0]
        while etype in (0x8100, 0x88A8) and len(pkt) >= off + 4:
            etype = struct.unpack_from(">H", pkt, off + 2)[0]
            off += 4
        return off if etype in (0x0800, 0x86DD) else None
    if linktype == 113 and len(pkt) >= 16:
        return 16 if struct.unpack_from(">H", pkt, 14)[0] in (0x0800, 0x86DD) else None
    if linktype == 276 and len(pkt) >= 20:
        return 20 if struct.unpack_from(">H", pkt, 0)[0] in (0x0800, 0x86DD) else None
    if linktype in (0, 108):
        return 4
    if linktype in (12, 14, 101, 228, 229):
        return 0
    return None


def transport(linktype, pkt):
    """(proto, src, dst, sport, dport, flags, payload) of a TCP segment or
    UDP datagram, or None."""
    off = ip_offset(linktype, pkt)
    if off is None or len(pkt) < off + 20:
        return None
    v = pkt[off] >> 4
    if v == 4:
        ihl = (pkt[off] & 15) * 4
        proto = pkt[off + 9]
        src, dst = pkt[off + 12:off + 16], pkt[off + 16:off + 20]
        end = min(len(pkt), off + struct.unpack_from(">H", pkt, off + 2)[0])
        off += ihl
    elif v == 6 and len(pkt) >= off + 40:
        proto = pkt[off + 6]
        src, dst = pkt[off + 8:off + 24], pkt[off + 24:off + 40]
        end = min(len(pkt), off + 40 + struct.unpack_from(">H", pkt, off + 4)[0])
        off += 40
    else:
        return None
    if proto == 6 and end >= off + 20:
        sport, dport = struct.unpack_from(">HH", pkt, off)
        thl = (pkt[off + 12] >> 4) * 4
        return 6, src, dst, sport, dport, pkt[off + 13], pkt[off + thl:end]
    if proto == 17 and end >= off + 8:
        sport, dport = struct.unpack_from(">HH", pkt, off)
        return 17, src, dst, sport, dport, 0, pkt[off + 8:end]
    return None


def flow_seeds(path):
    """One seed per TCP connection or UDP flow of the capture."""
    flows = {}
    for linktype, _, _, pkt in packets(path):
        t = transport(linktype, pkt)
        if t is None:
            continue
        proto, src, dst, sport, dport, flags, payload = t
        a, b = (src, sport), (dst, dport)
        key = (proto,) + (tuple(sorted([a, b])))
        fl = flows.get(key)
        if fl is None:
            # the client sent the first packet, unless it is a SYN-ACK
            client = b if proto == 6 and flags & 0x12 == 0x12 else a
            server_port = dport if client == a else sport
            fl = flows[key] = [client, bytearray(struct.pack("<H", server_port))]
        if not payload or len(fl[1]) >= MAX_SEED:
            continue
        d = 0 if a == fl[0] else 1
        payload = payload[:MAX_SEED - len(fl[1]) - 3]
        if len(payload) > 255:
            fl[1] += bytes([0x80 | d]) + struct.pack(">H", len(payload))
        else:
            fl[1] += bytes([d, len(payload)])
        fl[1] += payload
    for key, (_, data) in flows.items():
        if len(data) > 2:
            yield (1 if key[0] == 6 else 2) << 4, bytes(data)


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


READ_MAX = 256 * 1024
READ_OPTIONS = (0x0F, 0x62, 0xB8)


def tcp_streams(path):
    """(first payload direction-0 byte, [(dir, payload)]) per TCP
    connection, the client being the side that sent the first packet."""
    conns = {}
    for linktype, _, _, pkt in packets(path):
        t = transport(linktype, pkt)
        if t is None or t[0] != 6:
            continue
        _, src, dst, sport, dport, flags, payload = t
        a, b = (src, sport), (dst, dport)
        key = tuple(sorted([a, b]))
        c = conns.get(key)
        if c is None:
            client = b if flags & 0x12 == 0x12 else a
            c = conns[key] = [client, []]
        if payload:
            c[1].append((0 if a == c[0] else 1, bytes(payload)))
    for client, segs in conns.values():
        if segs:
            yield segs


def http2_seed(segs):
    if not segs[0][1].startswith(b"PRI * HTTP/2.0"):
        return None
    out = bytearray(b"\x01")  # odd: the data carries its own preface
    for d, payload in segs:
        off = 0
        while off < len(payload) and len(out) < MAX_SEED:
            left = len(payload) - off
            if left <= 32:
                n, ctl = left, ((left - 1) << 2) | d
            else:
                k = min(31, (left - 1) // 16)
                n, ctl = k * 16 + 1, 0x80 | (k << 2) | d
            out += bytes([ctl]) + payload[off:off + n]
            off += n
    return bytes(out[:MAX_SEED])


def tls_seed(segs):
    first = segs[0][1]
    if len(first) < 3 or first[0] != 0x16 or first[1] != 3:
        return None
    out = bytearray()
    for d, payload in segs:
        for off in range(0, len(payload), 128):
            chunk = payload[off:off + 128]
            out += bytes([(d << 7) | (len(chunk) & 0x7F)]) + chunk
            if len(out) >= MAX_SEED:
                return bytes(out[:MAX_SEED])
    return bytes(out)


def target_seeds(target, path):
    if target == "read":
        with open(path, "rb") as f:
            data = f.read()
        if len(data) <= READ_MAX:
            for opt in READ_OPTIONS:
                yield bytes([opt]) + data
            yield bytes([READ_OPTIONS[0]]) + gzip.compress(data, mtime=0)
        return
    make = http2_seed if target == "http2" else tls_seed
    for segs in tcp_streams(path):
        seed = make(segs)
        if seed:
            yield seed


def dfilter_seeds():
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, "..", "tests", "filter_oracle.py")
    with open(src) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") == "FILTERS" for t in node.targets):
            for expr, _ in ast.literal_eval(node.value):
                yield expr.encode()


def h3_varint(v):
    if v < 64:
        return bytes([v])
    if v < 16384:
        return bytes([0x40 | v >> 8, v & 0xFF])
    return bytes([0x80 | v >> 24, (v >> 16) & 0xFF, (v >> 8) & 0xFF,
                  v & 0xFF])


def h3_frame(ftype, payload):
    return h3_varint(ftype) + h3_varint(len(payload)) + payload


def h3_chunk(sel, data, fin=False, dir_bit=0):
    """One chunk of fuzz_h3's input: stream selector (fuzz/fuzz_h3.c's
    ids[]), direction of a request stream's bytes, fin."""
    out = bytearray()
    for off in range(0, max(len(data), 1), 255):
        part = data[off:off + 255]
        last = off + 255 >= len(data)
        ctl = sel | dir_bit << 3 | (0x10 if fin and last else 0) | 0x60
        out += bytes([ctl, len(part)]) + part
    return bytes(out)


def h3_seeds():
    """HTTP/3 connections written by hand (no capture has them decrypted):
    SETTINGS both ways, requests with static-table QPACK blocks (RFC 9204
    Appendix A indices), one with a dynamic-table insert and a block that
    refers to it, DATA, a GOAWAY."""
    settings = h3_frame(0x4, h3_varint(0x1) + h3_varint(4096) +
                        h3_varint(0x7) + h3_varint(16))
    ctl = b"\x00" + settings
    # :method GET (17), :scheme https (23), :path / (1), :status 200 (25)
    req = h3_frame(0x1, b"\x00\x00\xd1\xd7\xc1")
    resp = h3_frame(0x1, b"\x00\x00\xd9") + h3_frame(0x0, b"hello")
    # encoder stream: set capacity 4096, insert "x-a: b" (literal name)
    enc = b"\x02" + b"\x3f\xe1\x1f" + b"\x43x-a\x01b"
    # RIC 1 (encoded 2 with 128 entries), base delta 0, dynamic index 0
    dyn = h3_frame(0x1, b"\x02\x00\xd1\xd7\xc1\x80")
    plain = (h3_chunk(2, ctl) + h3_chunk(5, ctl) + h3_chunk(0, req, True) +
             h3_chunk(0, resp, True, 1))
    yield plain
    yield (h3_chunk(2, ctl) + h3_chunk(5, ctl) + h3_chunk(3, enc) +
           h3_chunk(0, dyn, True) + h3_chunk(0, resp, True, 1))
    # blocked first, inserts after, then a GOAWAY
    yield (h3_chunk(2, ctl) + h3_chunk(5, ctl) + h3_chunk(0, dyn, True) +
           h3_chunk(3, enc) + h3_chunk(0, resp, True, 1) +
           h3_chunk(5, h3_frame(0x7, h3_varint(4))))


def write_seed(outdir, seed):
    dest = os.path.join(outdir, hashlib.sha1(seed).hexdigest())
    if os.path.exists(dest):
        return 0
    with open(dest, "wb") as f:
        f.write(seed)
    return 1


def other_target(args):
    os.makedirs(args.out, exist_ok=True)
    nseeds = nnew = 0
    if args.target == "dfilter":
        seeds = dfilter_seeds()
    elif args.target == "h3":
        seeds = h3_seeds()
    else:
        def all_files():
            for path in capture_files(args.paths):
                try:
                    yield from target_seeds(args.target, path)
                except (CaptureError, struct.error) as exc:
                    print(f"make-seeds: {path}: {exc}", file=sys.stderr)
        seeds = all_files()
    for seed in seeds:
        nseeds += 1
        nnew += write_seed(args.out, seed)
    print(f"make-seeds: {args.target}: {nseeds} seeds -> {args.out} "
          f"({nnew} new)")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "seeds"),
        help="seed directory (default: fuzz/seeds)")
    ap.add_argument("--max-per-file", type=int, default=500,
                    help="at most this many packets from one capture "
                    "(default 500; 0 = all)")
    ap.add_argument("--target", default="packet",
                    choices=("packet", "read", "http2", "tls", "dfilter", "h3"),
                    help="the fuzz target the seeds are for (default packet)")
    ap.add_argument("paths", nargs="+", help="captures or directories")
    args = ap.parse_args()
    if args.target != "packet":
        return other_target(args)

    os.makedirs(args.out, exist_ok=True)
    nfiles = nseeds = nnew = 0
    nflows = [0]
    for path in capture_files(args.paths):
        nfiles += 1
        taken = 0
        try:
            def all_seeds():
                # flows first: --max-per-file cuts the packets
                for sel, data in flow_seeds(path):
                    nflows[0] += 1
                    yield bytes([sel]) + data
                for linktype, caplen, wirelen, pkt in packets(path):
                    sel = 1 if caplen < wirelen else 0
                    yield bytes([sel]) + struct.pack("<H", linktype) + pkt
            for seed in all_seeds():
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
    print(f"make-seeds: {nfiles} captures, {nseeds} seeds ({nflows[0]} of "
          f"them flows) -> {args.out} ({nnew} new)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
