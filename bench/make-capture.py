#!/usr/bin/env python3
"""Write a large, realistic, deterministic pcap for benchmarking netscope.

    bench/make-capture.py [-n PACKETS] [-s SEED] [-o FILE]

Defaults: 1,000,000 packets, seed 1, bench/out/capture-1000000.pcap.
Ethernet, microsecond pcap, monotonic timestamps (about 20,000 packets/s).
The same seed always gives the same bytes.

The traffic is an interleaving of a few hundred concurrent sessions, each a
Python generator yielding frames:

  * TCP over IPv4 (some 802.1Q-tagged) and IPv6: SYN / SYN-ACK / ACK with
    MSS, SACK-permitted, timestamps and window-scale options; requests and
    responses in MSS-sized segments with PSH on the last one, pure ACKs every
    second segment, then FIN teardown or (one in ten) an RST.  Port 443
    connections open with a real TLS 1.3 ClientHello (SNI, ALPN) and a
    ServerHello; port 80 carries HTTP/1.1 text; 50051 carries an HTTP/2
    preface; other ports carry random bytes.
  * DNS over UDP/IPv4 and IPv6: queries (A, AAAA, HTTPS, MX, TXT) and
    responses with compressed answers, some NXDOMAIN.
  * Other UDP: NTP, syslog and RTP-like media bursts.
  * ICMP and ICMPv6 echo request/reply runs, ARP request/reply.

IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums are all correct.  Frames
shorter than 60 bytes that arrive from the network are padded as a NIC
would.  Speed: about 1M packets in 15-25 s on one core (checksums of random
payload come from prefix sums, not from summing each payload).
"""

import argparse
import itertools
import os
import random
import struct
import sys
from array import array

# ---- checksums ---------------------------------------------------------------


def wsum(b):
    """Ones-complement sum of b as little-endian 16-bit words (RFC 1071:
    byte order only swaps the result, which we store little-endian)."""
    if len(b) & 1:
        b += b"\0"
    return sum(array("H", b))


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Payload:
    """A fixed block of random bytes with prefix sums of its 16-bit words,
    so the checksum of any slice at an even offset costs O(1)."""

    def __init__(self, rng, size=1 << 21):
        self.data = rng.randbytes(size)
        words = array("H", self.data)
        self.prefix = [0] + list(itertools.accumulate(words))
        self.size = size

    def take(self, rng, n):
        off = rng.randrange(0, self.size - n - 2) & ~1
        end = off + n
        s = self.prefix[end >> 1] - self.prefix[off >> 1]
        if n & 1:
            s += self.data[end - 1]
        return self.data[off:end], s


# ---- headers -----------------------------------------------------------------

ETH = struct.Struct("!6s6sH")
VLAN = struct.Struct("!HH")
IP4 = struct.Struct("!BBHHHBBH4s4s")
IP6 = struct.Struct("!IHBB16s16s")
TCP = struct.Struct("!HHIIBBHHH")
UDP = struct.Struct("!HHHH")
TS_OPT = struct.Struct("!BBBBII")  # NOP NOP TS len tsval tsecr


def eth(dst, src, etype, vlan):
    if vlan is None:
        return ETH.pack(dst, src, etype)
    return ETH.pack(dst, src, 0x8100) + VLAN.pack(vlan, etype)


class Endpoints:
    """One conversation: MACs, addresses, IP version, optional VLAN tag."""

    __slots__ = ("cmac", "smac", "cip", "sip", "v6", "vlan", "ipid",
                 "pseudo_c2s", "pseudo_s2c")

    def __init__(self, cmac, smac, cip, sip, v6, vlan, ipid):
        self.cmac, self.smac, self.cip, self.sip = cmac, smac, cip, sip
        self.v6, self.vlan, self.ipid = v6, vlan, ipid
        # address part of the pseudo-header sum (same both ways)
        self.pseudo_c2s = wsum(cip + sip)


def ip_frame(ep, c2s, proto, l4, l4sum, ttl=64):
    """Ethernet + IP around an L4 segment whose checksum field is zero and
    whose ones-complement sum (header and data, without pseudo-header) is
    l4sum.  Returns the frame with the L4 checksum filled in.  l4 is a list
    of byte strings: header first."""
    src, dst = (ep.cip, ep.sip) if c2s else (ep.sip, ep.cip)
    smac, dmac = (ep.cmac, ep.smac) if c2s else (ep.smac, ep.cmac)
    n = sum(len(x) for x in l4)
    if proto == 1:  # ICMP: no pseudo-header
        total = l4sum
    else:
        plen = struct.pack("!HH", proto, n) if not ep.v6 else \
            struct.pack("!IHH", n, 0, proto)
        total = l4sum + ep.pseudo_c2s + wsum(plen)
    ck = fold(total)
    if proto == 17 and ck == 0:
        ck = 0xFFFF
    hdr = l4[0]
    off = 16 if proto == 6 else (6 if proto == 17 else 2)
    hdr = hdr[:off] + struct.pack("<H", ck) + hdr[off + 2:]
    if ep.v6:
        nh = proto
        iph = IP6.pack(0x60000000, n, nh, ttl, src, dst)
        et = 0x86DD
    else:
        ep.ipid = (ep.ipid + 1) & 0xFFFF
        iph = IP4.pack(0x45, 0, 20 + n, ep.ipid, 0x4000, ttl, proto, 0, src, dst)
        iph = iph[:10] + struct.pack("<H", fold(wsum(iph))) + iph[12:]
        et = 0x0800
    frame = b"".join([eth(dmac, smac, et, ep.vlan), iph, hdr] + l4[1:])
    if len(frame) < 60 and not c2s:
        frame += bytes(60 - len(frame))  # Ethernet padding on receive
    return frame


# ---- the generator -----------------------------------------------------------

DOMAINS = [b"example.com", b"api.example.com", b"cdn.example.net",
           b"storage.googleapis.com", b"login.microsoftonline.com",
           b"github.com", b"registry.npmjs.org", b"pypi.org",
           b"inference.internal.corp", b"metrics.internal.corp",
           b"s3.eu-west-1.amazonaws.com", b"deb.debian.org"]
QTYPES = [(1, 0.5), (28, 0.3), (65, 0.1), (15, 0.05), (16, 0.05)]
SERVER_PORTS = [(443, 0.5), (80, 0.18), (50051, 0.12), (22, 0.05),
                (5432, 0.05), (8080, 0.05), (6379, 0.05)]
F_FIN, F_SYN, F_RST, F_PSH, F_ACK = 1, 2, 4, 8, 16


def weighted(rng, table):
    x = rng.random()
    for v, w in table:
        x -= w
        if x < 0:
            return v
    return table[-1][0]


def dns_name(name):
    return b"".join(bytes([len(p)]) + p for p in name.split(b".")) + b"\0"


def client_hello(rng, sni):
    """A TLS 1.3 ClientHello record (RFC 8446 section 4.1.2)."""
    def ext(t, body):
        return struct.pack("!HH", t, len(body)) + body
    sni_list = struct.pack("!BH", 0, len(sni)) + sni
    alpn = b"".join(bytes([len(p)]) + p for p in (b"h2", b"http/1.1"))
    key = rng.randbytes(32)
    exts = b"".join([
        ext(0, struct.pack("!H", len(sni_list)) + sni_list),
        ext(10, bytes.fromhex("0008001d001700180019")),
        ext(11, bytes.fromhex("0100")),
        ext(13, bytes.fromhex("000a040308040401050306010201")),
        ext(16, struct.pack("!H", len(alpn)) + alpn),
        ext(43, bytes.fromhex("0403040303")),
        ext(45, bytes.fromhex("0101")),
        ext(51, struct.pack("!HHH", 36, 0x1D, 32) + key),
    ])
    suites = bytes.fromhex("130113021303c02bc02fc02cc030cca9cca8c013c014")
    body = (b"\x03\x03" + rng.randbytes(32) + b"\x20" + rng.randbytes(32) +
            struct.pack("!H", len(suites)) + suites + b"\x01\x00" +
            struct.pack("!H", len(exts)) + exts)
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def server_hello(rng):
    exts = (struct.pack("!HHH", 43, 2, 0x0304) +
            struct.pack("!HHHHH", 51, 36, 0x1D, 32, 0)[:8] + rng.randbytes(32))
    body = (b"\x03\x03" + rng.randbytes(32) + b"\x20" + rng.randbytes(32) +
            b"\x13\x01\x00" + struct.pack("!H", len(exts)) + exts)
    hs = b"\x02" + len(body).to_bytes(3, "big") + body
    rec = b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs
    # the encrypted rest of the server's first flight
    return rec + b"\x14\x03\x03\x00\x01\x01"


class Gen:
    def __init__(self, seed):
        self.rng = rng = random.Random(seed)
        self.pay = Payload(rng)
        self.clients4 = [bytes([10, 0, i >> 8, i & 0xFF]) for i in range(1, 2049)]
        self.servers4 = [bytes([rng.choice([23, 34, 52, 93, 142, 151, 185]),
                                rng.randrange(256), rng.randrange(256),
                                rng.randrange(1, 255)]) for _ in range(300)]
        self.clients6 = [bytes.fromhex("fd000000000000010000000000000000")[:14]
                         + struct.pack("!H", i) for i in range(1, 513)]
        self.servers6 = [bytes.fromhex("20010db8") + rng.randbytes(12)
                         for _ in range(100)]
        self.gw = bytes.fromhex("001b21a0b0c1")
        self.resolver4 = bytes([10, 0, 0, 53])
        self.resolver6 = bytes.fromhex("fd000000000000010000000000000035")

    def mac(self, ip):
        return b"\x02\x42" + ip[-4:]

    def endpoints(self, v6, server=None, vlan_ok=True):
        rng = self.rng
        if v6:
            cip = rng.choice(self.clients6)
            sip = server or rng.choice(self.servers6)
        else:
            cip = rng.choice(self.clients4)
            sip = server or rng.choice(self.servers4)
        vlan = None
        if vlan_ok and not v6 and rng.random() < 0.08:
            vlan = (rng.randrange(8) << 13) | rng.choice([10, 20, 100, 4000])
        return Endpoints(self.mac(cip), self.gw, cip, sip, v6, vlan,
                         rng.randrange(65536))

    # -- TCP --------------------------------------------------------------

    def tcp(self, ep, c2s, sport, dport, seq, ack, flags, payload=b"",
            psum=None, opts=b"", win=502):
        hl = 20 + len(opts)
        hdr = TCP.pack(sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       (hl // 4) << 4, flags, win, 0, 0) + opts
        if psum is None:
            psum = wsum(payload)
        return ip_frame(ep, c2s, 6, [hdr, payload], wsum(hdr) + psum)

    def tcp_session(self):
        rng = self.rng
        v6 = rng.random() < 0.12
        ep = self.endpoints(v6)
        port = weighted(rng, SERVER_PORTS)
        cport = rng.randrange(32768, 61000)
        mss = 1428 if v6 else 1448
        cs, ss = rng.getrandbits(32), rng.getrandbits(32)
        tsc, tss = rng.getrandbits(31), rng.getrandbits(31)

        def ts_opt(c2s):
            nonlocal tsc, tss
            tsc += 1
            tss += 1
            return TS_OPT.pack(1, 1, 8, 10, tsc, tss) if c2s else \
                TS_OPT.pack(1, 1, 8, 10, tss, tsc)

        def seg(c2s, flags, payload=b"", psum=None):
            if c2s:
                f = self.tcp(ep, True, cport, port, cs, ss, flags, payload,
                             psum, ts_opt(True), 502)
            else:
                f = self.tcp(ep, False, port, cport, ss, cs, flags, payload,
                             psum, ts_opt(False), 509)
            return f

        syn_opts = struct.pack("!BBH", 2, 4, mss) + b"\x04\x02" + \
            struct.pack("!BBII", 8, 10, tsc, 0) + b"\x01\x03\x03\x07"
        yield self.tcp(ep, True, cport, port, cs, 0, F_SYN, opts=syn_opts,
                       win=64240)
        if rng.random() < 0.02:  # connection refused
            yield self.tcp(ep, False, port, cport, 0, cs + 1, F_RST | F_ACK)
            return
        cs += 1
        yield self.tcp(ep, False, port, cport, ss, cs, F_SYN | F_ACK,
                       opts=syn_opts, win=65160)
        ss += 1
        yield seg(True, F_ACK)

        first = True
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 5, 8])):
            # request
            if first and port == 443:
                req = client_hello(rng, rng.choice(DOMAINS))
                psum = None
            elif first and port == 50051:
                req = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + \
                    bytes.fromhex("000006040000000000000300000064")
                psum = None
            elif port in (80, 8080):
                req = (b"GET /api/v1/items/%d HTTP/1.1\r\nHost: %s\r\n"
                       b"User-Agent: bench/1.0\r\nAccept: */*\r\n\r\n"
                       % (rng.randrange(100000), rng.choice(DOMAINS)))
                psum = None
            else:
                req, psum = self.pay.take(rng, rng.randrange(40, 1200))
            yield seg(True, F_PSH | F_ACK, req, psum)
            cs += len(req)
            # response
            x = rng.random()
            if x < 0.6:
                total = rng.randrange(100, 4000)
            elif x < 0.92:
                total = rng.randrange(4000, 64000)
            else:
                total = rng.randrange(64000, 400000)
            head = b""
            if first and port == 443:
                head = server_hello(rng)
            elif port in (80, 8080):
                head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json"
                        b"\r\nContent-Length: %d\r\n\r\n" % total)
            if head:
                yield seg(False, F_ACK, head)
                ss += len(head)
                if rng.random() < 0.5:
                    yield seg(True, F_ACK)
            first = False
            sent = 0
            nseg = 0
            while sent < total:
                n = min(mss, total - sent)
                data, psum = self.pay.take(rng, n)
                last = sent + n >= total
                yield seg(False, (F_PSH | F_ACK) if last else F_ACK, data, psum)
                ss += n
                sent += n
                nseg += 1
                if nseg % 2 == 0 or last:
                    yield seg(True, F_ACK)

        if rng.random() < 0.1:
            yield seg(rng.random() < 0.5, F_RST | F_ACK)
            return
        if rng.random() < 0.7:  # client closes
            yield seg(True, F_FIN | F_ACK)
            cs += 1
            yield seg(False, F_FIN | F_ACK)
            ss += 1
            yield seg(True, F_ACK)
        else:
            yield seg(False, F_FIN | F_ACK)
            ss += 1
            yield seg(True, F_FIN | F_ACK)
            cs += 1
            yield seg(False, F_ACK)

    # -- UDP --------------------------------------------------------------

    def udp(self, ep, c2s, sport, dport, payload, psum=None):
        hdr = UDP.pack(sport, dport, 8 + len(payload), 0)
        if psum is None:
            psum = wsum(payload)
        return ip_frame(ep, c2s, 17, [hdr, payload], wsum(hdr) + psum)

    def dns_session(self):
        rng = self.rng
        v6 = rng.random() < 0.15
        ep = self.endpoints(v6, self.resolver6 if v6 else self.resolver4)
        cport = rng.randrange(32768, 61000)
        for _ in range(rng.choice([1, 1, 2])):
            qid = rng.randrange(65536)
            name = rng.choice(DOMAINS)
            if rng.random() < 0.3:
                name = b"x%d." % rng.randrange(10000) + name
            qtype = weighted(rng, QTYPES)
            q = dns_name(name) + struct.pack("!HH", qtype, 1)
            edns = b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00"
            query = struct.pack("!HHHHHH", qid, 0x0120, 1, 0, 0, 1) + q + edns
            yield self.udp(ep, True, cport, 53, query)
            if rng.random() < 0.03:
                continue  # lost
            if rng.random() < 0.05:
                resp = struct.pack("!HHHHHH", qid, 0x8183, 1, 0, 0, 0) + q
            else:
                answers = []
                for _ in range(rng.choice([1, 1, 2, 3])):
                    if qtype == 28:
                        rd = rng.randbytes(16)
                    elif qtype == 1:
                        rd = rng.randbytes(4)
                    elif qtype == 15:
                        rd = struct.pack("!H", 10) + b"\x04mail\xc0\x0c"
                    elif qtype == 16:
                        txt = b"v=spf1 include:_spf.example ~all"
                        rd = bytes([len(txt)]) + txt
                    else:  # HTTPS: priority 1, target ".", alpn h2,h3
                        rd = bytes.fromhex("00010000010006026832026833")
                    answers.append(struct.pack("!HHHIH", 0xC00C, qtype, 1,
                                               rng.randrange(30, 3600),
                                               len(rd)) + rd)
                resp = struct.pack("!HHHHHH", qid, 0x8180, 1, len(answers), 0,
                                   0) + q + b"".join(answers)
            yield self.udp(ep, False, 53, cport, resp)

    def other_udp_session(self):
        rng = self.rng
        kind = rng.random()
        if kind < 0.3:  # NTP client/server
            ep = self.endpoints(False)
            pkt = b"\x23\x02\x06\xe9" + bytes(12) + rng.randbytes(32)
            yield self.udp(ep, True, 123, 123, pkt)
            yield self.udp(ep, False, 123, 123,
                           b"\x24\x02\x06\xe9" + rng.randbytes(44))
        elif kind < 0.5:  # syslog
            ep = self.endpoints(False)
            for _ in range(rng.randrange(1, 4)):
                msg = b"<134>Nov 25 11:50:00 host app[%d]: request served in " \
                    b"%d ms" % (rng.randrange(99999), rng.randrange(999))
                yield self.udp(ep, True, rng.randrange(32768, 61000), 514, msg)
        else:  # RTP-like media both ways, 160-byte frames
            ep = self.endpoints(rng.random() < 0.2)
            a, b = rng.randrange(16384, 32768) & ~1, rng.randrange(16384, 32768) & ~1
            seq, ts, ssrc = rng.randrange(65536), rng.getrandbits(32), rng.getrandbits(32)
            for i in range(rng.randrange(20, 200)):
                c2s = i & 1 == 0
                data, psum = self.pay.take(rng, 160)
                hdr = struct.pack("!BBHII", 0x80, 0, (seq + i) & 0xFFFF,
                                  (ts + 160 * i) & 0xFFFFFFFF, ssrc)
                yield self.udp(ep, c2s, a if c2s else b, b if c2s else a,
                               hdr + data, wsum(hdr) + psum)

    # -- ICMP, ICMPv6, ARP ------------------------------------------------

    def ping_session(self):
        rng = self.rng
        v6 = rng.random() < 0.2
        ep = self.endpoints(v6)
        ident = rng.randrange(65536)
        for seq in range(1, rng.randrange(2, 6)):
            body = struct.pack("<QQ", 1700000000 + seq, seq) + bytes(range(16, 56))
            for c2s in (True, False):
                if v6:
                    t = 128 if c2s else 129
                    hdr = struct.pack("!BBHHH", t, 0, 0, ident, seq)
                    yield ip_frame(ep, c2s, 58, [hdr, body],
                                   wsum(hdr) + wsum(body))
                else:
                    t = 8 if c2s else 0
                    hdr = struct.pack("!BBHHH", t, 0, 0, ident, seq)
                    yield ip_frame(ep, c2s, 1, [hdr, body],
                                   wsum(hdr) + wsum(body))

    def arp_session(self):
        rng = self.rng
        cip = rng.choice(self.clients4)
        cmac = self.mac(cip)
        gwip = bytes([10, 0, 0, 1])
        vlan = None
        if rng.random() < 0.1:
            vlan = rng.choice([10, 20, 100])
        req = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, cmac, cip,
                          bytes(6), gwip)
        yield eth(b"\xff" * 6, cmac, 0x0806, vlan) + req + bytes(18)
        rep = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, self.gw, gwip,
                          cmac, cip)
        yield eth(cmac, self.gw, 0x0806, vlan) + rep + bytes(18)

    def new_session(self):
        x = self.rng.random()
        if x < 0.55:
            return self.tcp_session()
        if x < 0.85:
            return self.dns_session()
        if x < 0.91:
            return self.other_udp_session()
        if x < 0.96:
            return self.ping_session()
        return self.arp_session()


def write_capture(path, npackets, seed, concurrent=256, pps=20000):
    g = Gen(seed)
    rng = g.rng
    active = [g.new_session() for _ in range(concurrent)]
    rec = struct.Struct("<IIII")
    t = 1732530600 * 1000000  # 2024-11-25 10:30:00 UTC, in microseconds
    mean_gap = 1e6 / pps
    out = []
    written = 0
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        rand = rng.random
        expo = rng.expovariate
        while written < npackets:
            i = int(rand() * concurrent)
            try:
                frame = next(active[i])
            except StopIteration:
                active[i] = g.new_session()
                continue
            t += int(expo(1.0 / mean_gap))
            n = len(frame)
            out.append(rec.pack(t // 1000000, t % 1000000, n, n))
            out.append(frame)
            written += 1
            if len(out) >= 65536:
                f.write(b"".join(out))
                out.clear()
        f.write(b"".join(out))
    os.replace(tmp, path)
    return written


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--packets", type=int, default=1000000)
    ap.add_argument("-s", "--seed", type=int, default=1)
    ap.add_argument("-o", "--output", help="default bench/out/capture-N.pcap")
    args = ap.parse_args()
    path = args.output or os.path.join(here, "out",
                                       "capture-%d.pcap" % args.packets)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    n = write_capture(path, args.packets, args.seed)
    print("make-capture: %d packets, %d bytes -> %s"
          % (n, os.path.getsize(path), path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
