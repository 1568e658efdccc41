#!/usr/bin/python3
"""malformed-dns-*.pcap: hand-made DNS messages that no real server sends,
for the golden outputs and the unit tests of the DNS dissector.

    ./make-malformed-dns.py        (writes next to itself; no root needed)

Every file is Ethernet + IPv4 127.0.0.1 port 40053 <-> 127.0.0.1 port 53
(UDP), one message per frame, timestamps 1 ms apart from 2024-01-01.

  malformed-dns-loop.pcap         compression loops: a question name that
                                  points at itself; an answer name leading to
                                  two pointers that point at each other; a
                                  chain of 200 pointers (more than the 128 a
                                  name may follow); the pointers sit after
                                  the last record
  malformed-dns-label-past-end.pcap
                                  a label of 63 bytes with 5 left; a pointer
                                  past the end of the message; a name with
                                  no terminating zero
  malformed-dns-bad-rdlength.pcap an A record with rdlength 200 (past the
                                  end); an A record with rdlength 2 (the
                                  next record still decodes); an MX whose
                                  exchange name runs past its rdlength
  malformed-dns-bad-labels.pcap   label bytes that are not printable, a dot
                                  and a backslash inside labels, a label of
                                  type 0x40 (extended, unknown); a name of
                                  more than 255 bytes; and a header alone
                                  with counts that promise records
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1704067200


def ip_udp(payload, to_server):
    sport, dport = (40053, 53) if to_server else (53, 40053)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0x4000, 64,
                     17, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    s = sum(struct.unpack("!10H", ip))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    ip = ip[:10] + struct.pack("!H", ~s & 0xffff) + ip[12:]
    return b"\0" * 12 + b"\x08\x00" + ip + udp


def write(name, msgs):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1)
    for i, (to_server, m) in enumerate(msgs):
        f = ip_udp(m, to_server)
        out += struct.pack("<IIII", T0, i * 1000, len(f), len(f)) + f
    with open(os.path.join(HERE, name), "wb") as fp:
        fp.write(out)
    print("wrote", name)


def hdr(qid, flags, qd, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def name(s):
    b = b""
    for label in s.split("."):
        b += bytes([len(label)]) + label.encode()
    return b + b"\0"


A, MX, IN = 1, 15, 1
Q = struct.pack("!HH", A, IN)


def rr(owner, rtype, rdata, rdlen=None):
    n = len(rdata) if rdlen is None else rdlen
    return owner + struct.pack("!HHIH", rtype, IN, 300, n) + rdata


def main():
    q = name("api.example.test") + Q  # at offset 12
    # the answer's owner points at two pointers after the record that
    # point at each other
    base = 12 + len(q)
    ans = rr(struct.pack("!H", 0xc000 | (base + 16)), A, b"\xc0\x00\x02\x07")
    loop2 = struct.pack("!HH", 0xc000 | (base + 18), 0xc000 | (base + 16))
    # 200 pointers after the record, each to the one before, the first to
    # the question name; the owner points at the last
    chain = b"".join(struct.pack("!H", 0xc000 | (12 if i == 0 else base + 16 + 2 * (i - 1)))
                     for i in range(200))
    ans_chain = rr(struct.pack("!H", 0xc000 | (base + 16 + 2 * 199)), A,
                   b"\xc0\x00\x02\x07")
    write("malformed-dns-loop.pcap", [
        # question name: a pointer to itself (offset 12)
        (True, hdr(0x0101, 0x0100, 1) + b"\xc0\x0c" + Q),
        (False, hdr(0x0102, 0x8180, 1, 1) + q + ans + loop2),
        (False, hdr(0x0103, 0x8180, 1, 1) + q + ans_chain + chain),
    ])
    write("malformed-dns-label-past-end.pcap", [
        (True, hdr(0x0201, 0x0100, 1) + b"\x03api\x3fexamp"),
        (True, hdr(0x0202, 0x0100, 1) + b"\x03api\xc1\x00" + Q),
        (True, hdr(0x0203, 0x0100, 1) + b"\x03api\x07example"),
    ])
    write("malformed-dns-bad-rdlength.pcap", [
        (False, hdr(0x0301, 0x8180, 1, 1) + q +
         rr(b"\xc0\x0c", A, b"\xc0\x00\x02\x07", rdlen=200)),
        (False, hdr(0x0302, 0x8180, 1, 2) + q +
         rr(b"\xc0\x0c", A, b"\xc0\x00") + rr(b"\xc0\x0c", A, b"\xc0\x00\x02\x08")),
        (False, hdr(0x0303, 0x8180, 1, 1, 0, 1) + q +
         rr(b"\xc0\x0c", MX, b"\x00\x0a" + name("mail.example.test"), rdlen=6) +
         b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)),
    ])
    write("malformed-dns-bad-labels.pcap", [
        (True, hdr(0x0401, 0x0100, 1) + b"\x05a\x00b\x01c\x04d.e\\\x04test\x00" + Q),
        (True, hdr(0x0402, 0x0100, 1) + b"\x03api\x41\x00" + Q),
        (True, hdr(0x0403, 0x0100, 1) + b"".join(b"\x3f" + b"x" * 63 for _ in range(5)) + b"\x00" + Q),
        (True, hdr(0x0404, 0x0100, 2, 3)),
    ])


if __name__ == "__main__":
    main()
