#!/usr/bin/env python3
"""gRPC-Web over HTTP/1.1 against tshark: per TCP connection, the sequence
of gRPC frames (grpc.message_length, grpc.compressed_flag, grpc.frame_type)
each tool decodes, in order.

Per packet the tools differ by design: tshark decodes an HTTP/1.1 body when
the whole message has arrived, netscope each gRPC message on the packet
that completes it (a streamed response's messages as they come), so the
frames are compared per connection, not per packet.

    grpcweb_oracle.py NETSCOPE PORT PCAP...
"""
import subprocess
import sys

FIELDS = ["tcp.stream", "grpc.message_length", "grpc.compressed_flag",
          "grpc.frame_type"]


def frames(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    per = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) < 4 or not cols[1]:
            continue
        lens, comp, typ = (c.split(",") for c in cols[1:4])
        per.setdefault(cols[0], []).extend(zip(lens, comp, typ))
    return per


def main():
    ns, port, pcaps = sys.argv[1], sys.argv[2], sys.argv[3:]
    fail = 0
    for pcap in pcaps:
        ef = sum((["-e", f] for f in FIELDS), [])
        want = frames(["tshark", "-r", pcap, "-d", "tcp.port==%s,http" % port,
                       "-T", "fields", "-E", "separator=\t",
                       "-E", "aggregator=,"] + ef)
        got = frames([ns, "read", pcap, "-T", "fields"] + ef)
        n = sum(len(v) for v in want.values())
        if not n:
            print("FAIL: %s: tshark decoded no gRPC frames" % pcap)
            fail = 1
        elif want != got:
            print("FAIL: %s: gRPC frames differ" % pcap)
            for k in sorted(set(want) | set(got), key=int):
                if want.get(k) != got.get(k):
                    print("  stream %s: tshark %s netscope %s"
                          % (k, want.get(k), got.get(k)))
            fail = 1
        else:
            print("ok: %s: %d gRPC frames in %d connections agree"
                  % (pcap, n, len(want)))
    return fail


if __name__ == "__main__":
    sys.exit(main())
