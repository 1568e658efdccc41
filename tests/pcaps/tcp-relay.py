#!/usr/bin/python3
"""A deterministic, impairing Ethernet relay between two tap devices.

Standard library only.  This kernel has no netem qdisc, so the loss,
duplication, reordering and delay that netem would add are done here, in
user space, on real traffic between two real TCP/IP stacks:

    namespace a                 relay (this program)              namespace b
    [TCP/IP] -- tap "ta"  <==>  fd_a  --queue a>b-->  fd_b  <==>  tap "tb" -- [TCP/IP]
                                      <--queue b>a--

  tcp-relay.py [--tick MS] [--log FILE] [--rule RULE]... NSA:TAPA NSB:TAPB

NSA/NSB are network namespace files (/run/netns/NAME); the relay enters
each one (setns) to create its tap device there, so the devices never
leave the namespaces they serve.  The script that starts the relay gives
the taps their MACs and addresses and brings them up.  "ready" on stdout
means both taps exist.

Determinism.  The relay works in ticks of MS milliseconds (default 1.5).
Each tick it first reads every frame waiting on tap a, then on tap b, and
appends them to the queue of their direction; then it forwards at most one
frame from the head of queue a>b and one from the head of queue b>a (plus
frames that a rule sends in the same tick, see "dup" and "after").  A frame
written into a tap is processed by the kernel synchronously, in the
write(): its ACK or reply is already waiting on the tap when the relay
reads at the next tick.  So as long as the programs on both ends answer
within a tick, which frames follow which is fixed by the relay's rules and
not by timing, and a regenerated capture repeats frame for frame.
The link therefore carries one frame per tick each way (with full-size
segments about 8 Mbit/s at the default tick).  The tick is short next to
the kernel's jiffy-based timers (HZ 250 here: a RACK reordering timer
fires 8 ms or more after it is set), so that where an ACK arriving within
a tick or two settles what the sender does, the timer never gets there
first.

Rules: DIR:ACTION:MATCH, applied when a frame is read (in order; the first
rule that matches decides, and a rule with a seq=/pkt= match fires once).
  DIR     a>b | b>a
  MATCH   seq=N    TCP segment with payload or FIN whose sequence number,
                   relative to the initial sequence number of its direction
                   (learnt from the SYN), is N (SYN=0, first byte=1)
          pkt=N    the N-th frame read in this direction (1 = first)
          from=N   every frame from the N-th on
          syn      every SYN (with or without ACK)
          fin      every FIN
          ack      every TCP segment with ACK set, no payload, no SYN/FIN/RST
          all      every frame
  ACTION  drop     discard the frame
          dup      forward the frame twice, back to back in one tick
          after=K  hold the frame back and forward it right after the K-th
                   next frame of the same direction (reordering)
          delay=T  forward it no earlier than T ticks after it was read;
                   frames behind it wait too (a FIFO link, no reordering)
Every action taken is written to the log file, one line each, without
timing: "a>b seq=14481 len=1448 ACK: drop".  The make-*.sh scripts compare
that log with the "relay:" block of the capture's .truth file.

Frames other than IPv4/TCP are forwarded unchanged (and match only pkt=,
from= and all).  SIGTERM or SIGINT stops the relay.
"""
import ctypes
import fcntl
import os
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def setns(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns %s: %s" % (path, os.strerror(err)))
    finally:
        os.close(fd)


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


class Packet:
    """What the rules need from a frame: TCP header fields, if any."""

    def __init__(self, frame):
        self.frame = frame
        self.tcp = False
        if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
            return
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        if ip[0] >> 4 != 4 or ip[9] != 6 or len(ip) < ihl + 20:
            return
        total = struct.unpack("!H", ip[2:4])[0]
        t = ip[ihl:]
        self.tcp = True
        self.src = ip[12:16] + t[0:2]
        self.dst = ip[16:20] + t[2:4]
        self.seq = struct.unpack("!I", t[4:8])[0]
        self.flags = t[13]
        self.len = total - ihl - (t[12] >> 4) * 4

    def flagnames(self):
        return ",".join(n for b, n in ((SYN, "SYN"), (FIN, "FIN"), (RST, "RST"),
                                       (PSH, "PSH"), (ACK, "ACK"))
                        if self.flags & b) or "none"


class Rule:
    def __init__(self, text):
        try:
            self.dir, self.action, self.match = text.split(":")
        except ValueError:
            sys.exit("bad rule %r" % text)
        if self.dir not in ("a>b", "b>a"):
            sys.exit("bad direction in rule %r" % text)
        a = self.action
        if not (a in ("drop", "dup") or a.startswith("after=") or a.startswith("delay=")):
            sys.exit("bad action in rule %r" % text)
        m = self.match
        if not (m in ("syn", "fin", "ack", "all") or
                m.split("=")[0] in ("seq", "pkt", "from")):
            sys.exit("bad match in rule %r" % text)
        self.once = m.split("=")[0] in ("seq", "pkt")
        self.spent = False

    def matches(self, direction, n, p, relseq):
        if self.spent or direction != self.dir:
            return False
        m = self.match
        if m == "all":
            ok = True
        elif m.startswith("pkt="):
            ok = n == int(m[4:])
        elif m.startswith("from="):
            ok = n >= int(m[5:])
        elif not p.tcp:
            ok = False
        elif m == "syn":
            ok = bool(p.flags & SYN)
        elif m == "fin":
            ok = bool(p.flags & FIN)
        elif m == "ack":
            ok = p.flags & (SYN | FIN | RST | ACK) == ACK and p.len == 0
        else:  # seq=
            ok = relseq == int(m[4:]) and (p.len > 0 or p.flags & FIN)
        if ok and self.once:
            self.spent = True
        return ok


class Relay:
    def __init__(self, fds, rules, tick, log):
        self.fds = fds  # {"a": fd, "b": fd}
        self.rules = rules
        self.tick = tick
        self.log = log
        self.now = 0
        self.count = {"a>b": 0, "b>a": 0}
        # per direction: list of [ready_tick, frame, burst]; burst frames go
        # out in the same tick as the frame before them
        self.queue = {"a>b": [], "b>a": []}
        self.held = {"a>b": [], "b>a": []}  # [remaining, frame]
        self.isn = {}

    def note(self, direction, p, relseq, what):
        if p.tcp:
            desc = "%s seq=%s len=%d %s" % (direction, relseq, p.len, p.flagnames())
        else:
            desc = "%s frame %d (not TCP)" % (direction, self.count[direction])
        self.log.write("%s: %s\n" % (desc, what))
        self.log.flush()

    def relseq(self, p):
        if not p.tcp:
            return None
        if p.flags & SYN:
            self.isn[p.src + p.dst] = p.seq
        isn = self.isn.get(p.src + p.dst)
        return p.seq if isn is None else (p.seq - isn) & 0xFFFFFFFF

    def enqueue(self, direction, frame):
        self.count[direction] += 1
        n = self.count[direction]
        p = Packet(frame)
        rel = self.relseq(p)
        q = self.queue[direction]
        # a frame read now counts towards releasing held (reordered) frames
        release = []
        for h in self.held[direction]:
            h[0] -= 1
        for rule in self.rules:
            if rule.matches(direction, n, p, rel):
                a = rule.action
                self.note(direction, p, rel, a)
                if a == "drop":
                    break
                if a == "dup":
                    q.append([self.now, frame, False])
                    q.append([self.now, frame, True])
                elif a.startswith("after="):
                    self.held[direction].append([int(a[6:]), frame])
                elif a.startswith("delay="):
                    q.append([self.now + int(a[6:]), frame, False])
                break
        else:
            q.append([self.now, frame, False])
        for h in self.held[direction]:
            if h[0] <= 0:
                release.append(h)
        for h in release:
            self.held[direction].remove(h)
            q.append([self.now, h[1], True])

    def forward(self, direction):
        q = self.queue[direction]
        out = self.fds[direction[-1]]
        if not q or q[0][0] > self.now:
            return
        os.write(out, q.pop(0)[1])
        while q and q[0][2]:
            os.write(out, q.pop(0)[1])

    def run(self):
        while True:
            for side, direction in (("a", "a>b"), ("b", "b>a")):
                while True:
                    try:
                        frame = os.read(self.fds[side], 65536)
                    except BlockingIOError:
                        break
                    self.enqueue(direction, frame)
            self.forward("a>b")
            self.forward("b>a")
            self.now += 1
            if not any(self.queue.values()):
                # idle: sleep until a frame arrives, then start a new tick
                select.select(list(self.fds.values()), [], [])
            time.sleep(self.tick)


def main(argv):
    tick, logpath, rules, sides = 0.0015, None, [], []
    it = iter(argv)
    for arg in it:
        if arg == "--tick":
            tick = float(next(it)) / 1000
        elif arg == "--log":
            logpath = next(it)
        elif arg == "--rule":
            rules.append(Rule(next(it)))
        elif arg.startswith("-"):
            sys.exit(__doc__)
        else:
            sides.append(arg)
    if len(sides) != 2:
        sys.exit(__doc__)
    fds = {}
    for key, side in zip("ab", sides):
        path, tap = side.rsplit(":", 1)
        setns(path)
        fds[key] = open_tap(tap)
    log = open(logpath, "w") if logpath else open(os.devnull, "w")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    try:
        Relay(fds, rules, tick, log).run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main(sys.argv[1:])
