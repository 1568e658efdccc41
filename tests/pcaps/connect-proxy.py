#!/usr/bin/python3
"""An HTTP CONNECT proxy for make-tls-connect.sh (stdlib only).

    connect-proxy.py PORT UPSTREAM-HOST

Answers each CONNECT host:port with "200 Connection established" after
opening a TCP connection to UPSTREAM-HOST:port (whatever host was asked:
the test names a host nothing resolves), then copies bytes both ways
until either side closes.  Anything but CONNECT gets 405.
"""
import http.server
import socket
import socketserver
import sys

import tunnel


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_CONNECT(self):
        port = int(self.path.rsplit(":", 1)[1])
        up = socket.create_connection((sys.argv[2], port))
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        tunnel.pipe(self.connection, up)

    def do_GET(self):
        self.send_error(405)

    def log_message(self, *a):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server(("127.0.0.1", int(sys.argv[1])), Proxy).serve_forever()
