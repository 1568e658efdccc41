#!/usr/bin/env python3
"""HTTP/3 frames of a QUIC capture with its key log: netscope against
tshark, packet by packet (http3.stream_type, frame_type, frame_length,
settings ids and values).

Two differences are tshark 4.0's, not decoding ones, and are left out:
- a STREAM frame that repeats bytes already received (a retransmission):
  tshark decodes its HTTP/3 frames again, netscope's reassembly has
  delivered them once already;
- a DATA frame that does not end in the packet: netscope shows its type
  and length where its header is, tshark 4.0 shows nothing of it.
Retransmissions are found from tshark's own quic.stream.* fields (which
tests/quic_keylog.sh checks equal netscope's).

usage: h3_oracle.py NETSCOPE PCAP KEYLOG
"""
import subprocess
import sys

H3 = ["http3.stream_type", "http3.frame_type", "http3.frame_length",
      "http3.settings.id", "http3.settings.value"]
F = ["frame.number", "quic.connection.number", "udp.srcport",
     "quic.stream.stream_id", "quic.stream.offset", "quic.stream.length",
     "quic.stream.off"] + H3


def rows(cmd):
    out = subprocess.run(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, check=True).stdout
    res = []
    for line in out.decode().split("\n"):
        if line:
            res.append([c.split(",") if c else [] for c in line.split("\t")])
    return res


def fields(names):
    out = []
    for f in names:
        out += ["-e", f]
    return out + ["-E", "occurrence=a"]


def main():
    ns, pcap, keys = sys.argv[1:4]
    t = rows(["tshark", "-r", pcap, "-o", "tls.keylog_file:" + keys,
              "-T", "fields"] + fields(F))
    n = rows([ns, "read", pcap, "--tls-keylog", keys, "-T", "fields"]
             + fields(["frame.number"] + H3))
    n = [r[:1] + [[]] * 6 + r[1:] for r in n]  # in tshark's columns
    if len(t) != len(n):
        print("packet counts differ: tshark %d, netscope %d" % (len(t), len(n)))
        return 1
    seen = {}  # (connection, sender port, stream) -> bytes received
    bad = compared = 0
    for tr, nr in zip(t, n):
        conn, port = tr[1][:1], tr[2][:1]
        retrans = False
        ids, offs, lens = tr[3], tr[4], tr[5]
        # offsets are listed only for the frames that carry one
        offbits = tr[6]
        oi = 0
        for i, sid in enumerate(ids):
            off = 0
            if i < len(offbits) and offbits[i] in ("1", "True"):
                off = int(offs[oi]) if oi < len(offs) else 0
                oi += 1
            ln = int(lens[i]) if i < len(lens) else 0
            key = (tuple(conn), tuple(port), sid)
            if off + ln <= seen.get(key, 0) and ln:
                retrans = True
            seen[key] = max(seen.get(key, 0), off + ln)
        if retrans or not (tr[7:] or nr[7:]) or (not any(tr[7:]) and not any(nr[7:])):
            continue
        compared += 1
        ntypes, nlens = list(nr[8]), list(nr[9])
        # a DATA frame not ended in this packet: netscope's last entry
        while (len(ntypes) > len(tr[8]) and ntypes and ntypes[-1] == "0"):
            ntypes.pop()
            nlens.pop()
        if (tr[7], tr[8], tr[9], tr[10], tr[11]) != \
                (nr[7], ntypes, nlens, nr[10], nr[11]):
            bad += 1
            print("frame %s: tshark %s netscope %s" % (tr[0][0], tr[7:], nr[7:]))
    print("HTTP/3: %d/%d packets agree" % (compared - bad, compared))
    return 1 if bad or not compared else 0


if __name__ == "__main__":
    sys.exit(main())
