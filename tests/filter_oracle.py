#!/usr/bin/env python3
"""Differential test of display filters: for every filter below and every
capture of its group, the frames `netscope read -Y F` shows must be the
frames `tshark -Y F` shows.

Usage: filter_oracle.py NETSCOPE PCAPDIR [-j JOBS] [-v]

Groups keep the run short (each tshark run costs ~0.25 s): a filter about
DNS runs over the DNS captures, one about headers over a mix of link types.
The captures of a group are merged by mergecap into one file per link type
(they were taken at different times, so merging concatenates them), and
both tools read the merged files.
tshark is told the non-standard ports of the HTTP/2, TLS and HTTP captures
with -d, as the field oracle (oracle.sh) does; netscope needs no option.
Filters that use syntax tshark 4.0 lacks (xor) are unit-tested instead.
"""
import concurrent.futures
import glob
import os
import struct
import subprocess
import sys
import tempfile

GROUPS = {
    "base": ["arp-ndp-veth", "dns-udp", "grpc-inference", "icmpv6-echo",
             "ipv6-hopopts", "null-from-lo", "pcapng-dumpcap", "qinq-8021ad",
             "raw-ipip", "sll2-any", "tcp-ipv6-http", "vlan-8021q",
             "ipv4-options-igmp", "truncated-snaplen"],
    "tcp": ["tcp-loss-sender", "tcp-reorder", "tcp-zero-window",
            "tcp-keepalive", "tcp-duplicate", "tcp-http-keepalive",
            "tcp-rst-client", "grpc-errors"],
    # not grpc-web-http1: tshark decodes an HTTP/1.1 body when it is
    # whole, netscope each gRPC message on the packet that completes it
    "h2": ["grpc-errors", "grpc-inference", "grpc-web", "h2c-nghttp",
           "h2c-upgrade"],
    "tls": ["tls*"],
    "dns": ["dns-*"],
    "http": ["tcp-*http*"],
    # not ipv4/ipv6-fragments: tshark reassembles IP fragments and shows
    # ICMP in the last fragment, netscope (no IP reassembly) in the first
    "icmp": ["icmp*"],
}

# (filter, group).  Every operator and literal form tshark 4.0 shares.
FILTERS = [
    ("tcp", "base"),
    ("udp", "base"),
    ("!(tcp || udp)", "base"),
    ("not tcp and not udp and ip", "base"),
    ("arp || icmpv6", "base"),
    ("frame.len > 100", "base"),
    ("frame.len >= 0x60 && frame.len <= 0200", "base"),
    ("frame.len == 0b1000010", "base"),
    ("frame.number in {1..10}", "base"),
    ("frame.number in {1, 3, 5..7}", "base"),
    ("ip.addr == 127.0.0.1", "base"),
    ("ip.addr == 127.0.0.0/8", "base"),
    ("ip.addr == 10.0.0.0/8 or ip.addr == 192.168.0.0/16", "base"),
    ("ip.src != 127.0.0.1", "base"),
    ("ip.addr != 127.0.0.1", "base"),
    ("ipv6.addr == ::1", "base"),
    ("ipv6.src == fe80::/10", "base"),
    ("ipv6.addr ~= ::1", "base"),
    ("eth.addr == 00:00:00:00:00:00", "base"),
    ("eth.dst == ff:ff:ff:ff:ff:ff", "base"),
    ("eth.src == 00-00-00-00-00-00", "base"),
    ("eth.type == 0x86dd", "base"),
    ("ip.ttl == 64 && ip.flags.df == 1", "base"),
    ("ip.proto == UDP", "base"),
    ("ip.proto == \"ICMP\"", "base"),
    ("ip[0] == 0x45", "base"),
    ("ip[0:1] == 45", "base"),
    ("frame[12:2] == 08:00", "base"),
    ("ip.flags.mf == 1 || ip.frag_offset > 0", "base"),
    ("ip.src == ip.dst", "base"),
    ("udp.port == 53 or udp.port == 5353", "base"),
    ("udp.length > 100", "base"),
    ("vlan.id == 100 || ieee8021ad", "base"),
    ("tcp.flags.syn == 1", "tcp"),
    ("tcp.flags.syn == 1 && tcp.flags.ack == 0", "tcp"),
    ("tcp.flags.syn == True", "tcp"),
    ("tcp.flags.fin == 1 or tcp.flags.reset == 1", "tcp"),
    ("tcp.flags.fin == 1 or tcp.flags.syn == 1 and tcp.flags.ack == 0", "tcp"),
    ("tcp.flags & 0x12", "tcp"),
    ("tcp.flags & 0x02 == 2", "tcp"),
    ("tcp.flags == 0x018", "tcp"),
    ("tcp.port == 20080", "tcp"),
    ("tcp.port != 20080", "tcp"),
    ("tcp.port in {80, 443, 8080, 20080, 50051}", "tcp"),
    ("tcp.srcport in {1024..65535}", "tcp"),
    ("tcp.dstport not in {50051, 8080}", "tcp"),
    ("tcp.srcport == tcp.dstport", "tcp"),
    ("80 < tcp.srcport", None),  # tshark 4.0 wants the field on the left
    ("tcp.len > 0 and not tcp.analysis.retransmission", "tcp"),
    ("tcp.analysis.retransmission || tcp.analysis.out_of_order", "tcp"),
    ("tcp.analysis.duplicate_ack || tcp.analysis.lost_segment", "tcp"),
    ("tcp.analysis.zero_window or tcp.analysis.window_full", "tcp"),
    ("tcp.analysis.keep_alive", "tcp"),
    ("tcp.analysis.initial_rtt < 0.0001", "tcp"),
    ("tcp.window_size > 60000", "tcp"),
    ("tcp.stream == 1", "tcp"),
    ("tcp.stream in {0 .. 1} && tcp.len >= 100", "tcp"),
    ("tcp.seq == 1 and tcp.ack == 1", "tcp"),
    ("tcp.nxtseq > 1000", "tcp"),
    ("tcp.options.mss_val == 65495", "tcp"),
    ("tcp.options.wscale.shift >= 7", "tcp"),
    ("tcp.options.sack_le", "tcp"),
    ("tcp.time_delta > 0.05", "tcp"),
    ("frame.time_relative >= 0.5", "tcp"),
    ("ip.len > 1000 or ipv6.plen > 1000", "tcp"),
    ("tcp.hdr_len == 32 xor tcp.len > 0", None),  # no xor in tshark 4.0
    ("http2", "h2"),
    ("http2.type == 1", "h2"),
    ("http2.type == HEADERS", "h2"),
    ("http2.type == \"settings\"", "h2"),
    ("http2.type in {0, 3, 8}", "h2"),
    ("http2.streamid > 1 && http2.flags.end_stream", "h2"),
    ("http2.streamid === 1", "h2"),
    ("http2.streamid !== 0", "h2"),
    ("http2.streamid all_eq 0", "h2"),
    ("count(http2.type) > 3", "h2"),
    ("count(http2.header) >= 8", "h2"),
    ("http2.headers.path contains \"Predict\"", "h2"),
    ("http2.headers.path matches \"Stream.*$\"", "h2"),
    ("http2.header.value matches \"^APPLICATION/GRPC\"", "h2"),
    ("http2.header.name == \"grpc-status\"", "h2"),
    ("http2.header.name == \"grpc-status\" && http2.header.value != \"0\"",
     "h2"),
    ("upper(http2.headers.method) == \"POST\"", "h2"),
    ("lower(http2.header.value) contains \"python\"", "h2"),
    ("http2.headers.method[0] == 'P'", "h2"),
    ("http2.headers.method[1:2] == \"OS\"", "h2"),
    ("http2.headers.method[-1] == \"T\"", "h2"),
    ("len(http2.headers.path) > 30", "h2"),
    ("http2.headers.status == 200", "h2"),
    ("http2.settings.initial_window_size > 65535", "h2"),
    ("http2.window_update.window_size_increment >= 1000000", "h2"),
    ("http2.rst_stream.error || http2.goaway.error", "h2"),
    ("grpc.message_length > 1000", "h2"),
    ("grpc.compressed_flag == 1", "h2"),
    ("grpc.frame_type == 1", "h2"),
    ("tls", "tls"),
    ("tls.handshake.type == 1", "tls"),
    ("tls.handshake.type in {1 2}", None),  # tshark 4.0 needs commas
    ("tls.handshake.type in {1, 2}", "tls"),
    ("tls.handshake.extensions_server_name contains \"example\"", "tls"),
    ("tls.handshake.extensions_alpn_str == \"h2\"", "tls"),
    ("tls.record.version == 0x0303 && tls.record.content_type == 23",
     "tls"),
    ("tls.handshake.ciphersuite in {0x1301, 0x1302, 0xc02f}", "tls"),
    ("tls.handshake.extensions.supported_version == 0x0304", "tls"),
    ("tls.alert_message", "tls"),
    ("tls.alert_message.desc == 40", "tls"),
    ("tls.handshake.ja3 == \"\" or tls.handshake.ja3s", "tls"),
    ("tls.handshake.extensions_key_share_group == 0x11ec", "tls"),
    ("dns", "dns"),
    ("dns.flags.response == 0", "dns"),
    ("dns.flags.response == 1 && dns.flags.rcode == 3", "dns"),
    ("dns.flags.truncated == 1", "dns"),
    ("dns.qry.type == 28", "dns"),
    ("dns.qry.type in {1, 28, 65}", "dns"),
    ("dns.qry.name contains \"example\"", "dns"),
    ("dns.qry.name matches \"^www\\\\.\"", "dns"),
    ("len(dns.qry.name) > 15", "dns"),
    ("dns.a == 10.0.0.0/8", "dns"),
    ("dns.a", "dns"),
    ("dns.aaaa", "dns"),
    ("dns.cname", "dns"),
    ("dns.resp.ttl > 300", "dns"),
    ("dns.count.answers > 1", "dns"),
    ("dns.resp.type == 46", "dns"),
    ("dns.time > 0.001", "dns"),
    ("dns.response_to", "dns"),
    ("dns.flags.rcode != 0", "dns"),
    ("dns.id == 0 || tcp.port == 53", "dns"),
    ("http", "http"),
    ("http.request.method == \"GET\"", "http"),
    ("http.request.method == GET", "http"),
    ("http.response.code >= 200 and http.response.code < 300", "http"),
    ("http.host contains \"127.0.0.1\"", "http"),
    ("http.request.uri matches \"\\\\.txt$\"", "http"),
    ("icmp.type == 8", "icmp"),
    ("icmp.type == 3 && icmp.code == 3", "icmp"),
    ("icmpv6.type == 128", "icmp"),
    ("icmp || icmpv6", "icmp"),
]

# Documented differences: (filter, group) -> why tshark's answer differs.
KNOWN = {
    ("tls", "tls"): "tshark puts a tls item in a frame that carries only "
    "the start of a record split over segments ([TCP segment of a "
    "reassembled PDU]); netscope shows TLS in the frame that completes it",
}

# tshark needs these to decode the test captures' non-standard ports.
H2_PORTS = ["tcp.port==50051,http2", "tcp.port==8080,http2",
            "tcp.port==18443,http2", "tcp.port==50052,http2",
            "tcp.port==18080,http"]
DECODE_AS = {
    "grpc-": H2_PORTS,
    "h2c-": H2_PORTS,
    "tls": ["tcp.port==4433,tls", "tcp.port==4434,tls", "tcp.port==8443,tls",
            "tcp.port==18443,http2"],
    "tcp-": ["tcp.port==20080,http"],
    # DNS over TCP on a port no table names: netscope's TCP probe finds
    # it by itself, tshark (no TCP heuristic for DNS) must be told
    "dns-odd-port": ["tcp.port==5390,dns"],
}


def frames(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace").strip()
    return set(p.stdout.decode().split()), ""


def linktype(path):
    """(link type, snapshot length) of a capture: libpcap reads a pcapng
    file only when all its interfaces agree on both."""
    with open(path, "rb") as fp:
        head = fp.read(64)
    magic = head[:4]
    if magic == b"\x0a\x0d\x0d\x0a":  # pcapng: the first IDB
        bo = "<" if head[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        shb_len = struct.unpack(bo + "I", head[4:8])[0]
        with open(path, "rb") as fp:
            fp.seek(shb_len + 8)
            idb = fp.read(8)
        return struct.unpack(bo + "H", idb[:2])[0], \
            struct.unpack(bo + "I", idb[4:8])[0]
    bo = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    return struct.unpack(bo + "I", head[20:24])[0], \
        struct.unpack(bo + "I", head[16:20])[0]


def captures(pcapdir, group, tmp):
    """The group's captures merged into one file per link type."""
    files = []
    for pat in GROUPS[group]:
        for f in sorted(glob.glob(os.path.join(pcapdir, pat + ".pcap*"))):
            if f not in files:
                files.append(f)
    by_lt = {}
    for f in files:
        by_lt.setdefault(linktype(f), []).append(f)
    out = []
    for lt, fs in sorted(by_lt.items()):
        if len(fs) == 1:
            out.append((fs[0], fs))
            continue
        merged = os.path.join(tmp, "%s-%d-%d.pcapng" % (group, *lt))
        subprocess.run(["mergecap", "-w", merged] + fs, check=True)
        out.append((merged, fs))
    return out


def check(ns, f, members, flt, group):
    targs = []
    for prefix, specs in DECODE_AS.items():
        if any(os.path.basename(m).startswith(prefix) for m in members):
            for s in specs:
                if s not in targs:
                    targs += ["-d", s]
    t, terr = frames(["tshark", "-n", "-r", f] + targs +
                     ["-Y", flt, "-T", "fields", "-e", "frame.number"])
    n, nerr = frames([ns, "read", f, "-Y", flt, "-T", "fields", "-e",
                      "frame.number"])
    name = os.path.basename(f)
    if len(members) > 1:
        name += " (" + " ".join(os.path.basename(m) for m in members) + ")"
    return name, (flt, group), t, terr, n, nerr


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    jobs = int(os.environ.get("FILTER_ORACLE_JOBS", os.cpu_count() or 2))
    ns, pcapdir = args[0], args[1]
    # the merged captures: a directory of this run's own, removed however
    # the run ends (tests run side by side under make -j)
    with tempfile.TemporaryDirectory(prefix="filter-oracle-") as tmp:
        return run(ns, pcapdir, tmp, jobs, verbose)


def run(ns, pcapdir, tmp, jobs, verbose):
    merged = {g: captures(pcapdir, g, tmp) for g in GROUPS}
    work = [(f, members, flt, g) for flt, g in FILTERS if g
            for f, members in merged[g]]
    bad = []
    per_filter = {}
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        for f, key, t, terr, n, nerr in ex.map(lambda w: check(ns, *w),
                                               work):
            ok = t is not None and n is not None and t == n
            per_filter.setdefault(key, [0, 0])
            per_filter[key][0] += ok
            per_filter[key][1] += 1
            if not ok:
                bad.append((key, f, t, terr, n, nerr))
    for key in FILTERS:
        if key[1] and (verbose or per_filter[key][0] != per_filter[key][1]):
            print("%-70s %d/%d" % (key[0], *per_filter[key]))
    failed = 0
    for key, f, t, terr, n, nerr in bad:
        known = KNOWN.get(key)
        print("%s %s on %s" % ("KNOWN" if known else "DIFF", key[0], f))
        if known:
            print("  " + known)
        else:
            failed += 1
        if t is None or n is None:
            print("  tshark error: %s\n  netscope error: %s" % (terr, nerr))
            continue
        print("  only tshark: %s" % " ".join(sorted(t - n, key=int)[:20]))
        print("  only netscope: %s" % " ".join(sorted(n - t, key=int)[:20]))
    nf = sum(1 for _, g in FILTERS if g)
    agree = sum(1 for key in FILTERS if key[1] and
                per_filter[key][0] == per_filter[key][1])
    print("filters agreeing with tshark on every capture: %d/%d, "
          "%d documented tshark quirk(s) (%d filter x file runs)" %
          (agree, nf, len(KNOWN), len(work)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
