#!/usr/bin/python3
"""A mail or XMPP server that only says hello and upgrades to TLS, for
make-tls-starttls.sh (stdlib only).

    starttls-server.py smtp|imap|pop3|xmpp PORT CERT KEY

Speaks just enough of the protocol for a client's STARTTLS (RFC 3207),
STARTTLS (RFC 9051) or STLS (RFC 2595): the greeting, the capabilities
the client asks for, then, after the upgrade command and its positive
answer, TLS (python's ssl) and the same protocol inside until the client
quits.  XMPP (RFC 6120 §5): the client's stream header is answered with
the server's and its features (starttls, required), the client's
<starttls/> with <proceed/>, then TLS, inside which the server answers a
new stream header and closes its stream when the client closes its own.
One connection at a time.
"""
import socket
import ssl
import sys

proto, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)

GREET = {"smtp": b"220 mail.example.test ESMTP ready\r\n",
         "imap": b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n",
         "pop3": b"+OK POP3 ready\r\n"}


def answer(line, tls):
    """(reply, upgrade now, quit) for one client line."""
    w = line.split()
    cmd = w[0].upper() if w else b""
    if proto == "smtp":
        if cmd in (b"EHLO", b"HELO"):
            ext = b"" if tls else b"250-STARTTLS\r\n"
            return b"250-mail.example.test\r\n" + ext + b"250 8BITMIME\r\n", 0, 0
        if cmd == b"STARTTLS":
            return b"220 2.0.0 Ready to start TLS\r\n", 1, 0
        if cmd == b"QUIT":
            return b"221 2.0.0 Bye\r\n", 0, 1
        return b"502 5.5.2 Not implemented\r\n", 0, 0
    if proto == "imap":
        tag = w[0] if w else b"*"
        cmd = w[1].upper() if len(w) > 1 else b""
        if cmd == b"CAPABILITY":
            caps = b"IMAP4rev1" + (b"" if tls else b" STARTTLS")
            return (b"* CAPABILITY " + caps + b"\r\n" + tag +
                    b" OK CAPABILITY completed\r\n"), 0, 0
        if cmd == b"STARTTLS":
            return tag + b" OK Begin TLS negotiation now\r\n", 1, 0
        if cmd == b"LOGOUT":
            return (b"* BYE logging out\r\n" + tag +
                    b" OK LOGOUT completed\r\n"), 0, 1
        return tag + b" BAD unknown command\r\n", 0, 0
    if cmd == b"CAPA":
        caps = b"USER\r\n" + (b"" if tls else b"STLS\r\n")
        return b"+OK Capability list follows\r\n" + caps + b".\r\n", 0, 0
    if cmd == b"STLS":
        return b"+OK Begin TLS negotiation\r\n", 1, 0
    if cmd == b"QUIT":
        return b"+OK Bye\r\n", 0, 1
    return b"-ERR unknown command\r\n", 0, 0


XMPP_NS = b"urn:ietf:params:xml:ns:xmpp-tls"


def xmpp_header(tls):
    feats = (b"<stream:features/>" if tls else
             b"<stream:features><starttls xmlns='" + XMPP_NS +
             b"'><required/></starttls></stream:features>")
    return (b"<?xml version='1.0'?><stream:stream "
            b"xmlns:stream='http://etherx.jabber.org/streams' "
            b"xmlns='jabber:client' from='chat.example.test' id='s1' "
            b"version='1.0'>" + feats)


def read_until(c, marks):
    """Bytes from c until one of marks has arrived (or the end)."""
    got = b""
    while not any(m in got for m in marks):
        b = c.recv(4096)
        if not b:
            return got
        got += b
    return got


def serve_xmpp(c):
    read_until(c, [b"<stream:stream"])
    c.sendall(xmpp_header(False))
    if b"<starttls" not in read_until(c, [b"<starttls"]):
        return
    c.sendall(b"<proceed xmlns='" + XMPP_NS + b"'/>")
    c = ctx.wrap_socket(c, server_side=True)
    read_until(c, [b"<stream:stream"])
    c.sendall(xmpp_header(True))
    read_until(c, [b"</stream:stream>"])
    c.sendall(b"</stream:stream>")


def serve(c):
    if proto == "xmpp":
        serve_xmpp(c)
        return
    c.sendall(GREET[proto])
    f = c.makefile("rb")
    tls = False
    while True:
        line = f.readline()
        if not line:
            return
        reply, upgrade, quit_ = answer(line.strip(), tls)
        c.sendall(reply)
        if quit_:
            return
        if upgrade:
            c = ctx.wrap_socket(c, server_side=True)
            f = c.makefile("rb")
            tls = True


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(4)
while True:
    conn, _ = s.accept()
    try:
        serve(conn)
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()
