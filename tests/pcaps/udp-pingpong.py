#!/usr/bin/python3
"""A tiny UDP request/response pair for the netscope test captures.

Standard library only.  Run inside the capture's network namespace:

  udp-pingpong.py server ADDR PORT COUNT
      bind ADDR:PORT, answer COUNT requests, then exit.  The answer to
      b"netscope ping N\\n" is b"netscope pong N\\n".
  udp-pingpong.py client ADDR PORT COUNT SPORT
      from source port SPORT send COUNT requests, one at a time, each after
      the previous answer arrived; exit 1 on a timeout or a wrong answer.
  udp-pingpong.py closed ADDR PORT SPORT
      send one request to a port nobody listens on and expect the kernel's
      ICMP/ICMPv6 port unreachable (seen as ECONNREFUSED on the connected
      socket); exit 1 if it does not come.

ADDR decides the family (a ':' means IPv6).  Payloads are fixed so the
captures are predictable byte for byte.
"""
import socket
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def server(addr, port, count):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.settimeout(10)
    for _ in range(count):
        data, peer = s.recvfrom(2048)
        s.sendto(data.replace(b"ping", b"pong"), peer)


def client(addr, port, count, sport):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind(("" if family(addr) == socket.AF_INET6 else "0.0.0.0", sport))
    s.connect((addr, port))
    s.settimeout(5)
    for n in range(1, count + 1):
        s.send(b"netscope ping %d\n" % n)
        reply = s.recv(2048)
        if reply != b"netscope pong %d\n" % n:
            sys.exit("unexpected reply %r" % reply)


def closed(addr, port, sport):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind(("" if family(addr) == socket.AF_INET6 else "0.0.0.0", sport))
    s.connect((addr, port))
    s.settimeout(5)
    s.send(b"netscope ping 1\n")
    try:
        s.recv(2048)
    except ConnectionRefusedError:
        return
    except socket.timeout:
        sys.exit("no ICMP port unreachable came back")
    sys.exit("unexpected answer from a closed port")


def main(argv):
    if len(argv) == 4 and argv[0] == "server":
        server(argv[1], int(argv[2]), int(argv[3]))
    elif len(argv) == 5 and argv[0] == "client":
        client(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
    elif len(argv) == 4 and argv[0] == "closed":
        closed(argv[1], int(argv[2]), int(argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
