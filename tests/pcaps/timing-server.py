#!/usr/bin/python3
"""HTTP and HTTPS server for make-conn-timing.sh.

    timing-server.py PORT TLSPORT CERT KEY

Serves GET /slow on 127.0.0.1:PORT (HTTP/1.1) and, over TLS, on TLSPORT:
it waits 30 ms (the server's own time), then answers 2000 bytes.
"""
import http.server
import socketserver
import ssl
import sys
import threading
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        time.sleep(0.03)
        body = b"x" * 2000
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(port, tls_port, cert, key):
    plain = Server(("127.0.0.1", port), Handler)
    tls = Server(("127.0.0.1", tls_port), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    threading.Thread(target=plain.serve_forever, daemon=True).start()
    tls.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4])
