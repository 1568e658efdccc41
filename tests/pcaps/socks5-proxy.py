#!/usr/bin/python3
"""A SOCKS5 proxy for make-tls-socks.sh (RFC 1928, stdlib only).

    socks5-proxy.py PORT UPSTREAM-HOST

No authentication (method 0), the CONNECT command only; whatever address
the client names (an IPv4 address, an IPv6 one or a domain name) is
connected at UPSTREAM-HOST on the port it asked (the test names a host
nothing resolves).  The reply carries the proxy's own bound address, then
bytes are copied both ways until either side closes.
"""
import socket
import socketserver
import struct
import sys

import tunnel


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


class Socks(socketserver.BaseRequestHandler):
    def handle(self):
        c = self.request
        ver, n = recv_exact(c, 2)
        methods = recv_exact(c, n)
        if ver != 5 or 0 not in methods:
            c.sendall(b"\x05\xff")
            return
        c.sendall(b"\x05\x00")
        ver, cmd, _, atyp = recv_exact(c, 4)
        if atyp == 1:
            recv_exact(c, 4)
        elif atyp == 4:
            recv_exact(c, 16)
        else:
            recv_exact(c, recv_exact(c, 1)[0])
        port = struct.unpack("!H", recv_exact(c, 2))[0]
        if cmd != 1:
            c.sendall(b"\x05\x07\x00\x01" + bytes(6))
            return
        up = socket.create_connection((sys.argv[2], port))
        host, bport = up.getsockname()[:2]
        c.sendall(b"\x05\x00\x00\x01" + socket.inet_aton(host) +
                  struct.pack("!H", bport))
        tunnel.pipe(c, up)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


Server(("127.0.0.1", int(sys.argv[1])), Socks).serve_forever()
