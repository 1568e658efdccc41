#!/usr/bin/python3
"""DNS queries that dig cannot make, for the make-dns-*.sh scripts.

  dns-client.py udp-twice SERVER PORT NAME TYPE
      one query sent twice at once with the same id (a retransmission:
      the second leaves before the first answer comes) from PORT; both
      answers are read
  dns-client.py tcp-pipeline SERVER PORT NAME:TYPE...
      one TCP connection from PORT; every query but the last (2-byte length + message, RFC 7766)
      in a single write, so several messages share one segment; then the
      answers are read; then the last query written in two parts 0.2 s
      apart (one message over two segments)

Messages are built by hand (RFC 1035), ids fixed (0x1a2b upward), RD set,
an EDNS OPT record with a 1232-byte payload size.
"""
import socket
import struct
import sys
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
         "TXT": 16, "AAAA": 28, "SRV": 33, "NAPTR": 35, "DS": 43,
         "DNSKEY": 48, "SVCB": 64, "HTTPS": 65, "CAA": 257}


def query(qid, name, qtype):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", TYPES[qtype], 1)
    q += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)  # OPT
    return q


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("connection closed")
        b += c
    return b


def read_answer(s):
    (n,) = struct.unpack("!H", recv_exact(s, 2))
    return recv_exact(s, n)


def main(a):
    if a[0] == "udp-twice":
        server, port, name, qtype = a[1], int(a[2]), a[3], a[4]
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((server, port))
        s.settimeout(2)
        m = query(0x1a2b, name, qtype)
        s.sendto(m, (server, 53))
        s.sendto(m, (server, 53))
        s.recv(65535)
        s.recv(65535)
        return
    if a[0] == "tcp-pipeline":
        server, port = a[1], int(a[2])
        qs = [x.split(":") for x in a[3:]]
        s = socket.create_connection((server, 53), timeout=3,
                                     source_address=(server, port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        data = b""
        for i, (name, qtype) in enumerate(qs[:-1]):
            m = query(0x1a2b + i, name, qtype)
            data += struct.pack("!H", len(m)) + m
        s.sendall(data)
        for _ in qs[:-1]:
            read_answer(s)
        name, qtype = qs[-1]
        m = query(0x1a2b + len(qs) - 1, name, qtype)
        m = struct.pack("!H", len(m)) + m
        s.sendall(m[:9])
        time.sleep(0.2)
        s.sendall(m[9:])
        read_answer(s)
        s.shutdown(socket.SHUT_WR)
        s.recv(1)
        s.close()
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
