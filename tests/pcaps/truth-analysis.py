#!/usr/bin/python3
"""tshark's TCP/UDP conversation analysis of a capture, as a .truth block.

  truth-analysis.py CAPTURE          print the "analysis:" block
  truth-analysis.py CAPTURE TRUTH    compare with the "analysis:" block of
                                     TRUTH; exit 1 (and show both) if they
                                     differ

The block has one line per TCP or UDP stream (tshark's tcp.stream /
udp.stream index, its endpoints, how many frames and which ones), then one
line per frame that carries a tcp.analysis flag, e.g.

  stream tcp 0: 198.51.100.1:40080 <-> 198.51.100.2:20080, 149 frames, 1-149
   57 tcp 0 lost_segment
   58 tcp 0 duplicate_ack(#1 of 56)
   64 tcp 0 fast_retransmission retransmission

Flag names are the tcp.analysis.* field names.  A frame's flags come from
tshark 4.0 with its default TCP preferences (relative sequence numbers,
sequence analysis on), except that reassembly is off so every frame is
judged as captured.  Timing values (initial_rtt, ack_rtt) are not in the
block: they differ on every run.  The make-tcp-*.sh scripts check a fresh
capture against this block before installing it.
"""
import subprocess
import sys

FLAGS = """retransmission fast_retransmission spurious_retransmission
out_of_order lost_segment ack_lost_segment duplicate_ack zero_window
zero_window_probe zero_window_probe_ack window_full window_update
keep_alive keep_alive_ack reused_ports""".split()

FIELDS = (["frame.number", "tcp.stream", "udp.stream", "ip.src", "ip.dst",
           "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
           "tcp.analysis.duplicate_ack_num", "tcp.analysis.duplicate_ack_frame"] +
          ["tcp.analysis." + f for f in FLAGS])


def tshark(path):
    cmd = ["tshark", "-r", path, "-T", "fields", "-E", "occurrence=f",
           "-o", "ip.defragment:FALSE", "-o", "tcp.desegment_tcp_streams:FALSE",
           "-o", "tcp.relative_sequence_numbers:TRUE",
           "-o", "tcp.analyze_sequence_numbers:TRUE"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        yield dict(zip(FIELDS, line.split("\t")))


def ranges(nums):
    out, start, prev = [], None, None
    for n in nums:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append((start, prev))
            start = prev = n
    if start is not None:
        out.append((start, prev))
    return ",".join("%d" % a if a == b else "%d-%d" % (a, b) for a, b in out)


def block(path):
    streams, lines = {}, []
    for r in tshark(path):
        n = int(r["frame.number"])
        for proto in ("tcp", "udp"):
            if r[proto + ".stream"]:
                key = (proto, int(r[proto + ".stream"]))
                ends = sorted(["%s:%s" % (r["ip.src"], r[proto + ".srcport"]),
                               "%s:%s" % (r["ip.dst"], r[proto + ".dstport"])])
                s = streams.setdefault(key, {"ends": ends, "frames": []})
                s["frames"].append(n)
                stream = "%s %d" % key
                break
        else:
            continue
        flags = []
        for f in FLAGS:
            if r["tcp.analysis." + f]:
                if f == "duplicate_ack":
                    flags.append("duplicate_ack(#%s of %s)" % (
                        r["tcp.analysis.duplicate_ack_num"],
                        r["tcp.analysis.duplicate_ack_frame"]))
                else:
                    flags.append(f)
        if flags:
            lines.append("%5d %s %s" % (n, stream, " ".join(flags)))
    head = []
    for (proto, idx), s in sorted(streams.items()):
        head.append("  stream %s %d: %s <-> %s, %d frames, %s" % (
            proto, idx, s["ends"][0], s["ends"][1], len(s["frames"]),
            ranges(s["frames"])))
    return head + lines


def truth_block(path):
    lines, inside = [], False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "analysis:":
                inside = True
                continue
            if inside:
                if not line.strip():
                    break
                lines.append(line)
    return lines


def main(argv):
    if len(argv) == 1:
        print("\n".join(block(argv[0])))
        return
    if len(argv) != 2:
        sys.exit(__doc__)
    got, want = block(argv[0]), truth_block(argv[1])
    if got != want:
        print("analysis of %s does not match %s:" % (argv[0], argv[1]), file=sys.stderr)
        for g, w in zip(got + [""] * len(want), want + [""] * len(got)):
            mark = " " if g == w else "!"
            if g or w:
                print("%s got:  %s\n%s want: %s" % (mark, g, mark, w), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
