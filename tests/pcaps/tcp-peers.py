#!/usr/bin/python3
"""Both ends of the TCP conversations for the tcp-*.pcap captures.

Standard library only.  One process holds the client sockets (network
namespace a) and the server sockets (namespace b): it enters each
namespace with setns() before it creates a socket there, and a socket
stays in the namespace it was made in.  So one program decides, in plain
sequence, what each end does and when, e.g. both ends shutting down within
microseconds of each other, which two processes could not do reliably.
The traffic between them is real: two kernels' TCP stacks on two tap
devices, joined by tcp-relay.py.

  tcp-peers.py NSA NSB SCENARIO [ARGS...]

NSA and NSB are namespace files (/run/netns/NAME).  Addresses are fixed:
client 198.51.100.1 (a), server 198.51.100.2 (b); ports as given below.
Scenarios (each exits 0 only if everything happened as described):

  bulk SIZE           client :40090 sends "GET SIZE\\n"; server :20090
                      answers with SIZE bytes of numbered text lines (see
                      bulk_data) and closes.  The client reads nothing
                      until all SIZE bytes wait in its receive buffer, then
                      reads to EOF and closes.  Prints the data's SHA-256.
  rst-server          data both ways, then the server aborts (SO_LINGER
                      {1, 0}, close): RST.  40081 -> 20081.
  rst-client          the client sends data, the server answers, the
                      client sends more and aborts: RST.  40082 -> 20082.
  simclose            data both ways, then both ends shutdown(SHUT_WR)
                      back to back: the FINs cross.  40083 -> 20083.
  simopen             two sockets bound to 198.51.100.1:40084 and
                      198.51.100.2:20084 connect() to each other at once
                      (simultaneous open); a line of data each way, then
                      an ordinary close.
  zerowin SIZE        server :20085 with SO_RCVBUF 4096; client :40085
                      sends "BEGIN SIZE\\n", gets "OK\\n", then writes SIZE
                      bytes.  The server reads nothing until the client has
                      sent two zero-window probes, then reads slowly (see
                      zerowin).
  keepalive SECS      client :40086 with SO_KEEPALIVE, TCP_KEEPIDLE 1,
                      TCP_KEEPINTVL 1: request/response, idle SECS
                      seconds, request/response, client closes.
  portreuse           two connections in turn from 198.51.100.1:40087 to
                      :20087 (SO_REUSEADDR on both ends); the server
                      closes each first, so its TIME_WAIT is what the
                      second SYN meets.
  halfopen N          connect() from :40088 to :20088, which gets no answer
                      (the relay drops the SYNs); give up 0.3 s after the
                      N-th retransmission of the SYN.
  synnoack SECS       connect() from :40089 to :20089; the relay lets only
                      the SYN through, so the server never gets the final
                      ACK; hold SECS seconds, then abort (RST).
  udpflows            UDP: three rounds over four flows from 40100-40103
                      to 20100, 20100, 20101 and 20102 (the last one-way).

Where one end acts right after the other received something, the program
first sleeps 100 ms, so that every ACK in flight has arrived: what comes
next then never races with the relay's ticks.
"""
import ctypes
import errno
import fcntl
import hashlib
import os
import select
import socket
import struct
import sys
import termios
import threading
import time

CLONE_NEWNET = 0x40000000
CLIENT, SERVER = "198.51.100.1", "198.51.100.2"
NS = {}


def enter(side):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(NS[side], os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + NS[side])
    finally:
        os.close(fd)


def fail(msg):
    sys.exit("tcp-peers.py: " + msg)


def listener(port, rcvbuf=None, sndbuf=None):
    enter("b")
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if sndbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    s.bind((SERVER, port))
    s.listen(4)
    s.settimeout(20)
    return s


def client(sport, dport, sndbuf=None, rcvbuf=None, clamp=None, timeout=20,
           connect=True):
    enter("a")
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sndbuf:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    if rcvbuf:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if clamp:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_WINDOW_CLAMP, clamp)
    c.bind((CLIENT, sport))
    c.settimeout(timeout)
    if connect:
        c.connect((SERVER, dport))
    return c


def wait_queued(s, n, timeout=20):
    """Wait, without reading, until N bytes wait in s's receive queue."""
    end = time.monotonic() + timeout
    while True:
        q = struct.unpack("i", fcntl.ioctl(s, termios.FIONREAD, b"\0" * 4))[0]
        if q >= n:
            return
        if time.monotonic() > end:
            fail("only %d of %d bytes arrived" % (q, n))
        time.sleep(0.02)


def wait_tcpinfo(s, offset, n, timeout=20):
    """Wait until byte OFFSET of s's struct tcp_info is at least N
    (2 = tcpi_retransmits, 4 = tcpi_backoff)."""
    end = time.monotonic() + timeout
    while s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[offset] < n:
        if time.monotonic() > end:
            fail("tcp_info byte %d never reached %d" % (offset, n))
        time.sleep(0.01)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            fail("EOF after %d of %d bytes" % (len(buf), n))
        buf += d
    return buf


def recv_all(s):
    buf = b""
    while True:
        d = s.recv(65536)
        if not d:
            return buf
        buf += d


def expect(s, want):
    got = recv_exact(s, len(want))
    if got != want:
        fail("expected %r, got %r" % (want, got))


def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def bulk_data(size):
    """SIZE bytes of 32-byte lines: "netscope bulk line 000001 .....\\n"."""
    lines = (b"netscope bulk line %06d ......\n" % i for i in range(size // 32 + 1))
    return b"".join(lines)[:size]


def bulk(size):
    size = int(size)
    data = bulk_data(size)
    ls = listener(20090, sndbuf=1 << 20)
    result = {}

    def serve():
        s, _ = ls.accept()
        req = b""
        while not req.endswith(b"\n"):
            d = s.recv(100)
            if not d:
                break
            req += d
        if req != b"GET %d\n" % size:
            result["err"] = "bad request %r" % req
        s.sendall(data)
        s.close()

    t = threading.Thread(target=serve)
    t.start()
    # A receive buffer for all of it, and no reading until all of it is
    # there: the windows the client advertises depend on what arrived, not
    # on when the program got round to reading.  TCP_WINDOW_CLAMP set
    # before connect() makes the client offer window scale 0, so its window
    # grows to 65535 within the first ~17 segments and then stays there:
    # later ACKs that repeat the last one are duplicate ACKs in every
    # respect (same window too).
    c = client(40090, 20090, rcvbuf=1 << 20, clamp=20000)
    c.sendall(b"GET %d\n" % size)
    wait_queued(c, size)
    got = recv_all(c)
    c.close()
    t.join()
    if "err" in result:
        fail(result["err"])
    if got != data:
        fail("received %d bytes, not the %d sent" % (len(got), size))
    print("sha256 %s" % hashlib.sha256(data).hexdigest())


def pair(port_c, port_s, **kw):
    """A connected (client, server) pair: client :port_c -> server :port_s."""
    ls = listener(port_s, **{k: v for k, v in kw.items() if k in ("rcvbuf", "sndbuf")})
    c = client(port_c, port_s)
    s, _ = ls.accept()
    ls.close()
    s.settimeout(20)
    return c, s


def expect_reset(s):
    try:
        d = s.recv(100)
    except ConnectionResetError:
        return
    fail("expected a reset, got %r" % d)


def rst_server():
    c, s = pair(40081, 20081)
    c.sendall(b"hello from the client\n")
    expect(s, b"hello from the client\n")
    s.sendall(b"hello from the server\n")
    expect(c, b"hello from the server\n")
    c.sendall(b"more from the client\n")
    expect(s, b"more from the client\n")
    time.sleep(0.1)  # the server's ACK of it reaches the client first
    linger0(s)
    s.close()
    expect_reset(c)
    c.close()


def rst_client():
    c, s = pair(40082, 20082)
    c.sendall(b"request from the client\n")
    expect(s, b"request from the client\n")
    s.sendall(b"response from the server\n")
    expect(c, b"response from the server\n")
    c.sendall(b"last words from the client\n")
    expect(s, b"last words from the client\n")
    time.sleep(0.1)  # the server's ACK of it reaches the client first
    linger0(c)
    c.close()
    expect_reset(s)
    s.close()


def simclose():
    c, s = pair(40083, 20083)
    c.sendall(b"hello from the client\n")
    expect(s, b"hello from the client\n")
    s.sendall(b"hello from the server\n")
    expect(c, b"hello from the server\n")
    time.sleep(0.1)  # let the client's ACK of it arrive: a quiet link
    c.shutdown(socket.SHUT_WR)
    s.shutdown(socket.SHUT_WR)
    for x in (c, s):
        if x.recv(100) != b"":
            fail("data after the FIN")
    c.close()
    s.close()


def simopen():
    enter("a")
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((CLIENT, 40084))
    enter("b")
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((SERVER, 20084))
    c.setblocking(False)
    s.setblocking(False)
    rc = (c.connect_ex((SERVER, 20084)), s.connect_ex((CLIENT, 40084)))
    if rc != (errno.EINPROGRESS, errno.EINPROGRESS):
        fail("connect_ex returned %r" % (rc,))
    _, w, _ = select.select([], [c, s], [], 10)
    if len(w) < 2:
        _, w2, _ = select.select([], [c, s], [], 10)
        w = set(w) | set(w2)
    for x in (c, s):
        err = x.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            fail("connect failed: %s" % os.strerror(err))
        x.setblocking(True)
        x.settimeout(20)
    time.sleep(0.1)  # both handshakes over: a quiet link
    c.sendall(b"hello from 40084\n")
    expect(s, b"hello from 40084\n")
    s.sendall(b"hello from 20084\n")
    expect(c, b"hello from 20084\n")
    c.close()
    if s.recv(100) != b"":
        fail("no EOF")
    s.close()


def zerowin(size):
    size = int(size)
    data = bulk_data(size)
    c, s = pair(40085, 20085, rcvbuf=4096)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    c.sendall(b"BEGIN %d\n" % size)
    expect(s, b"BEGIN %d\n" % size)
    s.sendall(b"OK\n")
    expect(c, b"OK\n")
    c.sendall(data)
    # The server does not read while the client sends: the window fills
    # and closes; the client's kernel probes it.  Resume after the second
    # zero-window probe (counted by the client's tcpi_backoff, so the
    # number of probes does not depend on the RTO) ...
    wait_tcpinfo(c, 4, 2)
    # ... and until the answer to it has come back: an ACK resets
    # tcpi_probes (unanswered probes) to 0.
    end = time.monotonic() + 10
    while c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[3] != 0:
        if time.monotonic() > end:
            fail("the second zero-window probe was never answered")
        time.sleep(0.01)
    time.sleep(0.1)
    c.close()
    # Then a slow reader: whenever data has come, wait 50 ms (the sender
    # has filled the window again by then, and the link is quiet), then
    # take what there is (one recv: the buffer holds less than 64 KiB).
    # Reading only on a quiet link keeps the window updates in the same
    # place on every run.
    got = b""
    while True:
        select.select([s], [], [], 20)
        time.sleep(0.05)
        d = s.recv(65536)
        if not d:
            break
        got += d
    s.close()
    if got != data:
        fail("server got %d bytes, not %d" % (len(got), size))
    print("sha256 %s" % hashlib.sha256(data).hexdigest())


def keepalive(secs):
    c, s = pair(40086, 20086)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    c.sendall(b"ping 1\n")
    expect(s, b"ping 1\n")
    s.sendall(b"pong 1\n")
    expect(c, b"pong 1\n")
    time.sleep(float(secs))
    c.sendall(b"ping 2\n")
    expect(s, b"ping 2\n")
    s.sendall(b"pong 2\n")
    expect(c, b"pong 2\n")
    c.close()
    if s.recv(100) != b"":
        fail("no EOF")
    s.close()


def portreuse():
    ls = listener(20087)
    for n in (1, 2):
        c = client(40087, 20087)
        s, _ = ls.accept()
        s.settimeout(20)
        c.sendall(b"request %d\n" % n)
        expect(s, b"request %d\n" % n)
        s.sendall(b"response %d\n" % n)
        s.close()
        expect(c, b"response %d\n" % n)
        if c.recv(100) != b"":
            fail("no EOF")
        c.close()
        time.sleep(0.2)  # the server's last ACK: the client port is free
    ls.close()


def halfopen(n):
    n = int(n)
    ls = listener(20088)
    c = client(40088, 20088, connect=False)
    c.setblocking(False)
    if c.connect_ex((SERVER, 20088)) != errno.EINPROGRESS:
        fail("connect did not start")
    # Give up after the N-th retransmission of the SYN (and a little
    # more): the number of SYNs does not depend on timing.
    wait_tcpinfo(c, 2, n)
    time.sleep(0.3)
    if c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] != 2:
        fail("not in SYN_SENT any more")
    c.close()
    ls.close()


def synnoack(secs):
    ls = listener(20089)
    c = client(40089, 20089)
    time.sleep(float(secs))
    ls.settimeout(0)
    try:
        ls.accept()
    except (BlockingIOError, socket.timeout):
        pass
    else:
        fail("the server accepted a connection it never saw the ACK of")
    # Abort the client socket: one RST (dropped by the relay like
    # everything else from the client after the SYN) instead of a FIN that
    # would be retransmitted for as long as the relay runs.
    linger0(c)
    c.close()
    ls.close()


def udpflows():
    enter("b")
    servers = {}
    for port in (20100, 20101, 20102):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((SERVER, port))
        u.settimeout(5)
        servers[port] = u
    enter("a")
    flows = [(40100, 20100), (40101, 20100), (40102, 20101), (40103, 20102)]
    clients = {}
    for sp, dp in flows:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((CLIENT, sp))
        u.connect((SERVER, dp))
        u.settimeout(5)
        clients[sp] = u
    for rnd in (1, 2, 3):
        for sp, dp in flows:
            msg = b"flow %d->%d message %d\n" % (sp, dp, rnd)
            clients[sp].send(msg)
            data, peer = servers[dp].recvfrom(2048)
            if data != msg or peer != (CLIENT, sp):
                fail("server %d got %r from %r" % (dp, data, peer))
            if dp == 20102:
                continue  # a one-way flow: no answer
            reply = b"reply %d->%d message %d\n" % (dp, sp, rnd)
            servers[dp].sendto(reply, peer)
            if clients[sp].recv(2048) != reply:
                fail("bad reply on flow %d" % sp)



def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    NS["a"], NS["b"] = argv[0], argv[1]
    scen = {"bulk": bulk, "rst-server": rst_server, "rst-client": rst_client,
            "simclose": simclose, "simopen": simopen, "zerowin": zerowin,
            "keepalive": keepalive, "portreuse": portreuse,
            "halfopen": halfopen, "synnoack": synnoack, "udpflows": udpflows}
    if argv[2] not in scen:
        sys.exit(__doc__)
    scen[argv[2]](*argv[3:])


if __name__ == "__main__":
    main(sys.argv[1:])
