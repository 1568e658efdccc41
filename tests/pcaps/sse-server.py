#!/usr/bin/python3
"""sse-server.py — a Server-Sent Events server for the sse-*.pcap captures.

It streams one LLM-like completion per request as text/event-stream, with
known delays between events, and writes its own record (the truth)
of what it sent and when (NAME.events):

    sse-server.py h1 PORT TRUTH [CERT KEY]   HTTP/1.1 (http.server);
        /stream is chunked, /stream-close has no length and ends with the
        connection (Connection: close), /stream-long is 150 short token
        events 2-12 ms apart, chunked, /stream-limits 70 events in one
        write and an event of 70000 bytes; with CERT and KEY over TLS
        (ALPN http/1.1 or h2: an h2 connection is served as below)
    sse-server.py h2 PORT TRUTH              HTTP/2 with prior knowledge
                                             (python3-h2)

The stream (the same on every transport): a first event with a retry
line and the event name "start", token events `data: {"token": ...}` with
ids, a comment (keep-alive) between two of them, one token event written
in two pieces 15 ms apart whose data line's CRLF is split between them
(a CR ends the first piece, its LF starts the second, then the blank
line that completes the event), a two-line data event named
"usage", then `data: [DONE]` with no id (the last id stays, as in a
browser).  Delays between events are 20-60 ms, fixed.

The record has one JSON object per line: for each request
{"kind": "request", "stream": LABEL, "client_port": N, "path": P,
 "t": capture-clock time the request was read}, and for each event
{"kind": "event", "stream": LABEL, "client_port": N, "n": 1.., "id": ..,
 "event": NAME ("message" when none), "data": .., "t" and "t_done":
 the clock just before and just after the write that completed it (on
 loopback the packet leaves during the write)}.  make-sse.sh runs the
 server with a real-time priority (chrt) so that its clock readings are
 not delayed by other work on the machine.
"""
import json
import socket
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler

# imported before any connection, so that reading a request is not
# delayed by the import (the record's request time is the reference for
# the time to first event)
import h2.config
import h2.connection
import h2.events

TOKENS = ["Hello", ",", " I", " am", " a", " toy", " model", "."]
DELAYS_MS = [30, 25, 40, 60, 20, 35, 50, 45, 55, 22, 38, 28, 33]


def script():
    """The stream as a list of (pieces, record) where pieces are the writes
    (bytes, delay before it in ms) and record what the event is (or None
    for a comment)."""
    out = []
    d = iter(DELAYS_MS)
    out.append(([(b'retry: 3000\nid: 1\nevent: start\n'
                  b'data: {"model": "toy-llm", "stream": true}\n\n', next(d))],
                ("1", "start", '{"model": "toy-llm", "stream": true}')))
    for i, tok in enumerate(TOKENS):
        eid = str(i + 2)
        data = json.dumps({"token": tok})
        if i == 3:  # a keep-alive comment between two tokens
            out.append(([(b": keep-alive\n\n", next(d))], None))
        if i == 5:  # CRLF line ends, the CR and LF in different writes
            body = ("id: %s\r\nevent: token\r\ndata: %s\r" % (eid, data))
            out.append(([(body.encode(), next(d)), (b"\n\r\n", 15)],
                        (eid, "token", data)))
            continue
        body = "id: %s\nevent: token\ndata: %s\n\n" % (eid, data)
        out.append(([(body.encode(), next(d))], (eid, "token", data)))
    usage = '{"prompt_tokens": 5,\n "completion_tokens": %d}' % len(TOKENS)
    body = ("id: %d\nevent: usage\ndata: {\"prompt_tokens\": 5,\n"
            "data:  \"completion_tokens\": %d}\n\n" % (len(TOKENS) + 2,
                                                       len(TOKENS)))
    out.append(([(body.encode(), next(d))],
                (str(len(TOKENS) + 2), "usage", usage)))
    out.append(([(b"data: [DONE]\n\n", next(d))],
                (str(len(TOKENS) + 2), "message", "[DONE]")))
    return out


def long_script():
    """/stream-long: 150 token events 2-12 ms apart (a fixed pseudo-random
    sequence), so that the p99 of its gaps is not simply the largest."""
    out, x = [], 12345
    for i in range(150):
        x = (x * 1103515245 + 12345) % (1 << 31)
        body = 'id: %d\ndata: {"token": "t%d"}\n\n' % (i + 1, i + 1)
        out.append(([(body.encode(), 2 + x % 11)],
                    (str(i + 1), "message", '{"token": "t%d"}' % (i + 1))))
    return out


def limits_script():
    """/stream-limits: 70 events in one write (more than one sse layer
    shows), an event of 70000 bytes of data (past the 64 KiB an event
    keeps), then [DONE]."""
    burst = b"".join(b"id: %d\ndata: burst %d\n\n" % (i, i)
                     for i in range(1, 71))
    out = [([(burst, 30)], None)]
    out += [([], (str(i), "message", "burst %d" % i)) for i in range(1, 71)]
    big = "x" * 70000
    out.append(([(("id: big\nevent: big\ndata: %s\n\n" % big).encode(),
                  30)], ("big", "big", big)))
    out.append(([(b"data: [DONE]\n\n", 30)], ("big", "message", "[DONE]")))
    return out


class Record:
    def __init__(self, path):
        self.f = open(path, "a")

    def write(self, **kw):
        self.f.write(json.dumps(kw, sort_keys=True) + "\n")
        self.f.flush()


def stream(write, rec, label, port, path="/stream"):
    """Writes the events through write(bytes) and records each one (an
    entry with no writes is an event of the writes before it)."""
    n = 0
    which = {"/stream-long": long_script, "/stream-limits": limits_script}
    for pieces, what in which.get(path, script)():
        for data, delay in pieces:
            time.sleep(delay / 1000.0)
            t = time.time()
            write(data)
            t_done = time.time()
        if what is None:
            continue
        n += 1
        eid, name, data = what
        rec.write(kind="event", stream=label, client_port=port, n=n,
                  id=eid, event=name, data=data, t=t, t_done=t_done)


def h1_handler(rec, label_of):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            t = time.time()
            port = self.client_address[1]
            label = label_of(self.path)
            rec.write(kind="request", stream=label, client_port=port,
                      path=self.path, t=t)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            chunked = self.path != "/stream-close"
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.flush()

            def write(b):
                if chunked:
                    b = b"%x\r\n%s\r\n" % (len(b), b)
                self.wfile.write(b)
                self.wfile.flush()
            stream(write, rec, label, port, self.path)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
    return Handler


class FakeServer:
    pass


def serve_h1(conn, addr, rec, label_of):
    h1_handler(rec, label_of)(conn, addr, FakeServer())
    conn.close()  # after the client's FIN, or at once for /stream-close


def serve_h2(conn, addr, rec, label):
    c = h2.connection.H2Connection(config=h2.config.H2Configuration(
        client_side=False, header_encoding="utf-8"))
    c.initiate_connection()
    conn.sendall(c.data_to_send())
    port = addr[1]
    while True:
        data = conn.recv(65535)
        if not data:
            break
        for ev in c.receive_data(data):
            if isinstance(ev, h2.events.RequestReceived):
                t = time.time()
                sid = ev.stream_id
                path = dict(ev.headers).get(":path", "")
                rec.write(kind="request", stream=label, client_port=port,
                          path=path, t=t)
                c.send_headers(sid, [(":status", "200"),
                                     ("content-type", "text/event-stream"),
                                     ("cache-control", "no-cache")])
                conn.sendall(c.data_to_send())

                def write(b, sid=sid):
                    c.send_data(sid, b)
                    conn.sendall(c.data_to_send())
                stream(write, rec, label, port)
                c.end_stream(sid)
        out = c.data_to_send()
        if out:
            conn.sendall(out)
    conn.close()


def main():
    mode, port, truth = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ctx = None
    if len(sys.argv) > 5:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        ctx.set_alpn_protocols(["h2", "http/1.1"])
    rec = Record(truth)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(4)
    tls = ctx is not None
    while True:
        conn, addr = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if ctx:
            conn = ctx.wrap_socket(conn, server_side=True)
        alpn = conn.selected_alpn_protocol() if ctx else None
        if mode == "h2" or alpn == "h2":
            serve_h2(conn, addr, rec, "tls-h2" if tls else "h2")
        else:
            def label_of(path):
                base = {"/stream": "chunked", "/stream-long": "long",
                        "/stream-limits": "limits"}.get(path, "close")
                return ("tls-" + base) if tls else base
            serve_h1(conn, addr, rec, label_of)


if __name__ == "__main__":
    main()
