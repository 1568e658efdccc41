#!/usr/bin/env python3
"""-T fields with -E options, and `netscope fields`, against tshark.

    fields_options.py NETSCOPE PCAPDIR

1. For each capture below with the first set of -E options, and two
   captures with each other set, `netscope read -T
   fields -E ... -e ...` must print exactly the bytes `tshark -r -T fields
   -E ... -e ...` prints: header line, separators, quotes (none around an
   absent field), aggregation and occurrence selection.  The fields are
   ones both tools spell the same way (addresses, numbers, names), chosen
   so that the captures repeat several of them in one packet (the IP
   header quoted by an ICMP error, IP in IP, 802.1ad with 802.1Q, DNS
   answers).
2. Every field `netscope fields` lists that tshark also has
   (`tshark -G fields`) must have a type of the same kind (unsigned and
   signed integers of any width are one kind, a label is one kind with a
   protocol), except the few listed in TYPE_EXCEPTIONS.

Exits 1 on any difference.
"""
import concurrent.futures
import os
import subprocess
import sys

CAPTURES = [
    "icmp-unreachable.pcap", "icmpv6-unreachable.pcap", "raw-ipip.pcap",
    "raw-ip6tnl.pcap", "dns-udp.pcap", "dns-tcp.pcap", "qinq-8021ad.pcap",
    "tcp-ipv4-http.pcap", "ipv6-hopopts.pcap", "arp-ndp-veth.pcap",
    "sll2-any.pcap", "pcapng-dumpcap.pcapng",
]
FIELDS = [
    "frame.number", "frame.len", "frame.cap_len", "eth.src", "eth.dst",
    "eth.type", "vlan.id", "ieee8021ad.id", "ip.src", "ip.dst", "ip.ttl",
    "ip.proto", "ip.len", "ip.id", "ip.flags", "ip.dsfield", "ipv6.src",
    "ipv6.dst", "ipv6.nxt", "ipv6.plen", "tcp.srcport", "tcp.dstport",
    "tcp.len", "tcp.stream", "tcp.seq", "tcp.ack", "tcp.flags",
    "tcp.hdr_len", "tcp.window_size", "udp.srcport", "udp.dstport",
    "udp.length", "udp.stream", "icmp.type", "icmp.code", "icmpv6.type",
    "icmpv6.code", "dns.a", "dns.aaaa", "dns.qry.name", "dns.count.answers",
    "dns.id", "dns.flags", "arp.opcode",
]
# the brief of the feature, then every other option value tshark takes
OPTION_SETS = [
    ["header=y", "separator=,", "quote=d", "occurrence=a", "aggregator=;"],
    [],
    ["header=y", "separator=/s", "quote=s", "occurrence=f"],
    ["header=yes", "bom=y", "occurrence=l", "aggregator=/s", "quote=n"],
    ["header=n", "separator=/t", "aggregator=/x", "quote=dd"],
    ["separator=|", "occurrence=a", "aggregator=,", "header=y"],
]
TSHARK_OPTS = ["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
               "-o", "tcp.try_heuristic_first:FALSE"]

# fields whose type differs from tshark's on purpose
TYPE_EXCEPTIONS = {
    # a point in time; tshark 4.0 declares it a relative time
    "frame.time_epoch",
    # the bytes, where tshark has a text label / a string
    "tls.handshake.verify_data", "http2.continuation.header",
    # the number of packed values, where tshark keeps the bytes
    "protobuf.field.value.repeated",
}
KINDS = {
    "FT_PROTOCOL": "label", "FT_NONE": "label", "FT_BOOLEAN": "bool",
    "FT_FRAMENUM": "int", "FT_DOUBLE": "double", "FT_FLOAT": "double",
    "FT_RELATIVE_TIME": "reltime", "FT_ABSOLUTE_TIME": "abstime",
    "FT_ETHER": "ether", "FT_IPv4": "ipv4", "FT_IPv6": "ipv6",
    "FT_STRING": "string", "FT_STRINGZ": "string",
    "FT_UINT_STRING": "string", "FT_STRINGZPAD": "string",
    "FT_STRINGZTRUNC": "string", "FT_BYTES": "bytes",
    "FT_UINT_BYTES": "bytes",
}


def kind(ftype):
    if ftype.startswith(("FT_UINT", "FT_INT")) and ftype not in KINDS:
        return "int"
    return KINDS.get(ftype, ftype)


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, TZ="UTC"))
    return p.returncode, p.stdout


def compare_fields(ns, pcapdir):
    jobs = []
    for i, pcap in enumerate(CAPTURES):
        # the first set everywhere, each other set on two captures
        sets = [OPTION_SETS[0]] + [o for k, o in enumerate(OPTION_SETS)
                                   if k and i % (len(OPTION_SETS) - 1) ==
                                   k - 1]
        for opts in sets:
            e = [a for o in opts for a in ("-E", o)]
            f = [a for name in FIELDS for a in ("-e", name)]
            path = os.path.join(pcapdir, pcap)
            jobs.append((pcap, opts,
                         ["tshark", "-r", path] + TSHARK_OPTS +
                         ["-T", "fields"] + e + f,
                         [ns, "read", path, "-T", "fields"] + e + f))
    bad = 0
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        outs = list(pool.map(lambda j: (run(j[2]), run(j[3])), jobs))
    for (pcap, opts, _, _), ((trc, tout), (nrc, nout)) in zip(jobs, outs):
        if trc != 0 or nrc != 0 or tout != nout or not tout:
            bad += 1
            tl, nl = tout.split(b"\n"), nout.split(b"\n")
            diff = next((i for i, (a, b) in enumerate(zip(tl, nl))
                         if a != b), min(len(tl), len(nl)))
            print(f"FAIL {pcap} -E {' -E '.join(opts) or '(none)'}: exit "
                  f"{trc}/{nrc}, line {diff + 1}:\n  tshark:   "
                  f"{tl[diff] if diff < len(tl) else b''!r}\n  netscope: "
                  f"{nl[diff] if diff < len(nl) else b''!r}")
    print(f"-T fields -E: {len(jobs) - bad}/{len(jobs)} runs identical to "
          f"tshark ({len(CAPTURES)} captures, {len(OPTION_SETS)} option "
          f"sets, {len(FIELDS)} fields)")
    return bad == 0


def compare_types(ns):
    rc, out = run(["tshark", "-G", "fields"])
    theirs = {}
    for line in out.decode("utf-8", "replace").splitlines():
        p = line.split("\t")
        if p[0] == "F" and len(p) > 3:
            theirs.setdefault(p[2], p[3])
        elif p[0] == "P" and len(p) > 2:
            theirs.setdefault(p[2], "FT_PROTOCOL")
    rc, out = run([ns, "fields"])
    bad = shared = 0
    for line in out.decode().splitlines():
        name, ftype, _ = line.split("\t", 2)
        if name not in theirs:
            continue
        shared += 1
        if kind(ftype) != kind(theirs[name]) and \
                name not in TYPE_EXCEPTIONS:
            bad += 1
            print(f"FAIL type of {name}: netscope {ftype}, tshark "
                  f"{theirs[name]}")
    print(f"netscope fields: {shared - bad}/{shared} fields tshark also "
          f"has are of the same kind ({len(TYPE_EXCEPTIONS)} known "
          f"exceptions)")
    return bad == 0


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ok = compare_fields(sys.argv[1], sys.argv[2])
    ok = compare_types(sys.argv[1]) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
