#!/usr/bin/env python3
"""Write the HPACK table attack as a capture: an HTTP/2 connection whose
server advertises SETTINGS_HEADER_TABLE_SIZE=0xffffffff and whose client
then signals a table of that size and fills it with small literal entries,
header block after header block, until the file is SIZE bytes.

    tests/hpack_flood.py SIZE_BYTES OUT.pcap [CONNECTIONS]

With several connections (each on its own client port, none closed) the
per-connection state adds up too: what --max-state bounds.

Hand-made bytes on purpose (an attack case, as the test suite's rules
allow): no real client behaves so.  A decoder that honours the advertised
size keeps every entry (about 57 bytes of memory per captured byte);
netscope holds HPACK tables to 64 KiB.
"""
import struct
import sys

CLI, SRV = (127, 0, 0, 1), (127, 0, 0, 2)
CPORT, SPORT = 40444, 8443


def hpack_int(v, prefix_bits, first):
    top = (1 << prefix_bits) - 1
    if v < top:
        return bytes([first | v])
    out = [first | top]
    v -= top
    while v >= 128:
        out.append(v % 128 + 128)
        v //= 128
    out.append(v)
    return bytes(out)


def literal_indexed(name, value):
    """Literal header field with incremental indexing, new name."""
    return (b"\x40" + hpack_int(len(name), 7, 0) + name +
            hpack_int(len(value), 7, 0) + value)


def frame(ftype, flags, sid, payload):
    n = len(payload)
    return struct.pack(">BHBBI", n >> 16, n & 0xffff, ftype, flags,
                       sid) + payload


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Conn:
    def __init__(self, out, cport=CPORT):
        self.out = out
        self.cport = cport
        self.seq = {0: 1000, 1: 5000}
        self.t = 1700000000 * 1000000

    def packet(self, d, flags, payload=b""):
        src, dst = (CLI, SRV) if d == 0 else (SRV, CLI)
        sp, dp = (self.cport, SPORT) if d == 0 else (SPORT, self.cport)
        tcp = struct.pack(">HHIIBBHHH", sp, dp, self.seq[d],
                          self.seq[1 - d], 5 << 4, flags, 65535, 0, 0)
        tot = 20 + len(tcp) + len(payload)
        ip = struct.pack(">BBHHHBBH4B4B", 0x45, 0, tot, 0, 0x4000, 64, 6,
                         0, *src, *dst)
        ip = ip[:10] + struct.pack(">H", checksum(ip)) + ip[12:]
        eth = b"\0" * 12 + b"\x08\x00"
        data = eth + ip + tcp + payload
        self.t += 10
        self.out.write(struct.pack("<IIII", self.t // 1000000,
                                   self.t % 1000000, len(data), len(data)))
        self.out.write(data)
        self.seq[d] = (self.seq[d] + len(payload) +
                       (1 if flags & 0x02 else 0)) & 0xffffffff


def open_conn(out, cport):
    c = Conn(out, cport)
    c.seq = {0: 999, 1: 4999}
    c.packet(0, 0x02)  # SYN
    c.packet(1, 0x12)  # SYN-ACK
    c.packet(0, 0x10)
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    c.packet(0, 0x18, preface + frame(4, 0, 0, b""))
    c.packet(1, 0x18, frame(4, 0, 0, struct.pack(">HI", 1, 0xffffffff)))
    c.packet(0, 0x18, frame(4, 1, 0, b""))  # the client's ACK
    return c


def main():
    size, path = int(sys.argv[1]), sys.argv[2]
    nconn = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144,
                              1))
        conns = [open_conn(out, CPORT + i) for i in range(nconn)]
        sid, k = 1, 0
        while out.tell() < size:
            for c in conns:
                block = hpack_int(0xffffffff, 5, 0x20) if sid == 1 else b""
                for _ in range(400):
                    block += literal_indexed(b"x-%07d" % k, b"v" * 8)
                    k += 1
                c.packet(0, 0x18, frame(1, 0x05, sid, block))  # ES|EH
            sid += 2


if __name__ == "__main__":
    main()
