#!/usr/bin/python3
"""malformed-frag-*.pcap: hand-made IP fragments that attack reassembly,
for the golden outputs and tests/ipfrag.sh (no real stack sends these).

    ./make-malformed-frag.py       (writes next to itself; no root needed)

Ethernet + IPv4 192.0.2.1 -> 192.0.2.2 or IPv6 2001:db8::1 -> 2001:db8::2,
UDP port 40000 -> 9 (discard) unless said, one fragment per frame,
timestamps 1 ms apart from 2024-01-01 unless said.

  malformed-frag-overlap.pcap  IPv4: out of order (last, middle, first);
                               a duplicate of a middle fragment (same
                               bytes: overlap); a fragment that overlaps
                               the first with other bytes (conflict); two
                               last fragments that disagree (multiple
                               tails).  IPv6: the same out-of-order and
                               conflicting overlap cases.
  malformed-frag-toolong.pcap  IPv4 and IPv6 fragments that end past 65535
                               bytes (the "ping of death"), then a
                               well-formed datagram that still reassembles
  malformed-frag-flood.pcap    200 fragments of 8 bytes making one datagram
                               (reassembled); 1100 fragments of 8 bytes for
                               another (past the 1024 a datagram may hold:
                               dropped); 1100 datagrams whose first
                               fragment alone comes (past the 1024 in
                               progress: the oldest evicted); a first
                               fragment whose rest comes 40 s later (timed
                               out: the rest never completes it)
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1704067200
A4, B4 = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])
A6 = bytes.fromhex("20010db8000000000000000000000001")
B6 = bytes.fromhex("20010db8000000000000000000000002")


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp(payload):
    return struct.pack("!HHHH", 40000, 9, 8 + len(payload), 0) + payload


def v4(ident, off, more, data, proto=17):
    ff = (0x2000 if more else 0) | (off // 8)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(data), ident, ff,
                     64, proto, 0, A4, B4)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + data


def v6(ident, off, more, data, nxt=17):
    frag = struct.pack("!BBHI", nxt, 0, off | (1 if more else 0), ident)
    ip = struct.pack("!IHBB16s16s", 0x60000000, 8 + len(data), 44, 64, A6,
                     B6)
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x86\xdd" + ip + frag + data


def write(name, frames):
    """frames: (seconds after T0, frame bytes)"""
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1)
    for t, f in frames:
        sec, usec = int(t), int(round((t - int(t)) * 1e6))
        out += struct.pack("<IIII", T0 + sec, usec, len(f), len(f)) + f
    with open(os.path.join(HERE, name), "wb") as fp:
        fp.write(out)
    print("wrote", name)


def timed(frames, step=0.001):
    return [(i * step, f) for i, f in enumerate(frames)]


def overlap():
    d = udp(bytes(range(256)) * 4)  # 1032 bytes
    a, b, c = d[:512], d[512:1024], d[1024:]
    f = [v4(1, 1024, 0, c), v4(1, 512, 1, b), v4(1, 0, 1, a)]  # reversed
    f += [v4(2, 0, 1, a), v4(2, 512, 1, b), v4(2, 512, 1, b),  # duplicate
          v4(2, 1024, 0, c)]
    bad = bytes(x ^ 0xff for x in d[256:768])
    f += [v4(3, 0, 1, a), v4(3, 256, 1, bad), v4(3, 512, 1, b),  # conflict
          v4(3, 1024, 0, c)]
    f += [v4(4, 0, 1, a), v4(4, 512, 0, b), v4(4, 1024, 0, c)]  # two tails
    f += [v6(5, 1024, 0, c), v6(5, 512, 1, b), v6(5, 0, 1, a)]
    f += [v6(6, 0, 1, a), v6(6, 256, 1, bad), v6(6, 512, 1, b),
          v6(6, 1024, 0, c)]
    write("malformed-frag-overlap.pcap", timed(f))


def toolong():
    d = udp(b"x" * 100)
    f = [v4(7, 0, 1, d[:64]), v4(7, 65528, 0, b"y" * 100),
         v6(8, 0, 1, d[:64]), v6(8, 65528, 0, b"y" * 100),
         v4(9, 0, 1, d[:64]), v4(9, 64, 0, d[64:])]
    write("malformed-frag-toolong.pcap", timed(f))


def flood():
    f = []
    d = udp(bytes(1592))  # 1600 bytes: 200 fragments of 8
    for i in range(200):
        f.append(v4(10, i * 8, i < 199, d[i * 8:i * 8 + 8]))
    d = udp(bytes(8792))  # 8800 bytes: 1100 fragments of 8
    for i in range(1100):
        f.append(v4(11, i * 8, i < 1099, d[i * 8:i * 8 + 8]))
    for i in range(1100):
        f.append(v4(1000 + i, 0, 1, bytes(8)))
    frames = timed(f, 0.0001)
    t = frames[-1][0]
    d = udp(bytes(16))
    frames += [(t + 0.001, v4(12, 0, 1, d[:16])),
               (t + 40.001, v4(12, 16, 0, d[16:]))]
    write("malformed-frag-flood.pcap", frames)


overlap()
toolong()
flood()
