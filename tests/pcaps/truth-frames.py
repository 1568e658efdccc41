#!/usr/bin/python3
"""Print the per-frame table used in the .truth files, decoded by tshark.

  truth-frames.py CAPTURE            print the table
  truth-frames.py CAPTURE TRUTH      compare with the "frames:" block of TRUTH;
                                     exit 1 (and show both) if they differ

The table lists only what stays the same when a make-*.sh script records
its capture again: lengths, link-layer details, addresses, ports, flags,
relative TCP sequence numbers, ICMP identifiers and sequence numbers,
fixed payload text.  Timestamps, IP identifications, checksums, TCP initial
sequence numbers, timestamp option values and windows are left out.  It
uses tshark (Wireshark's dissectors) as an independent decoder, with IP
reassembly and TCP desegmentation off so every frame is shown as captured.
"""
import subprocess
import sys

FIELDS = """frame.number frame.len frame.cap_len
sll.pkttype sll.ifindex sll.hatype null.family
eth.src eth.dst ieee8021ad.id vlan.id
arp.opcode arp.src.hw_mac arp.src.proto_ipv4 arp.dst.proto_ipv4
ip.src ip.dst ip.proto ip.ttl ip.hdr_len ip.flags.df ip.flags.mf ip.frag_offset
ip.opt.type
ipv6.src ipv6.dst ipv6.nxt ipv6.hlim ipv6.hopopts.nxt ipv6.opt.type
ipv6.fraghdr.nxt ipv6.fraghdr.offset ipv6.fraghdr.more
tcp.srcport tcp.dstport tcp.flags.str tcp.seq tcp.ack tcp.len tcp.hdr_len
tcp.options.mss_val tcp.options.wscale.shift tcp.options.sack_perm
tcp.options.timestamp.tsval tcp.payload
udp.srcport udp.dstport udp.length udp.payload
icmp.type icmp.code icmp.ident icmp.seq
icmpv6.type icmpv6.code icmpv6.echo.identifier icmpv6.echo.sequence_number
icmpv6.nd.ns.target_address icmpv6.nd.na.target_address
icmpv6.mldr.mar.record_type icmpv6.mldr.mar.multicast_address
igmp.type igmp.record_type igmp.maddr
vxlan.vni gre.proto
eth.len llc.dsap llc.ssap llc.control stp.type stp.flags stp.root.hw
stp.bridge.hw stp.port stp.hello stp.max_age stp.forward
pppoe.code pppoe.session_id pppoe.payload_length pppoed.tags.service_name
pppoed.tags.ac_name pppoed.tags.ac_cookie pppoed.tags.generic_error
""".split()

PKTTYPE = {"0": "host", "1": "broadcast", "2": "multicast", "3": "otherhost",
           "4": "outgoing"}
TCPFLAGS = ["CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN"]
FLAG_ORDER = ["SYN", "FIN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"]
IPV4_OPT = {0: "EOL", 1: "NOP", 148: "RouterAlert"}
IPV6_OPT = {0: "Pad1", 1: "PadN", 5: "RouterAlert"}
# RFC 3376 section 4.2.12 / RFC 3810 section 5.2.12
RECORD = {1: "MODE_IS_INCLUDE", 2: "MODE_IS_EXCLUDE", 3: "CHANGE_TO_INCLUDE",
          4: "CHANGE_TO_EXCLUDE", 5: "ALLOW_NEW_SOURCES", 6: "BLOCK_OLD_SOURCES"}


def tshark(path):
    cmd = ["tshark", "-r", path, "-T", "fields", "-E", "occurrence=a",
           "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
           "-o", "tcp.desegment_tcp_streams:FALSE",
           "-o", "tcp.relative_sequence_numbers:TRUE"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        vals = line.split("\t")
        yield {f: v.split(",") if v else [] for f, v in zip(FIELDS, vals)}


def first(r, f, i=0):
    v = r.get(f, [])
    return v[i] if len(v) > i else ""


def text(hexstr, limit=40):
    """A payload as text when it is printable, else its length."""
    try:
        b = bytes.fromhex(hexstr.replace(":", ""))
    except ValueError:
        return ""
    line = b.split(b"\r\n")[0].split(b"\n")[0]
    if line and all(32 <= c < 127 for c in line):
        s = line.decode()
        return '"%s%s"' % (s[:limit], "..." if len(s) > limit else "")
    return ""


def tcp_flags(r):
    s = first(r, "tcp.flags.str")
    # tshark: "·······A··S·" style, last 8 characters are CWR..FIN
    got = {name for name, c in zip(TCPFLAGS, s[-8:]) if c != "·"}
    return ",".join(f for f in FLAG_ORDER if f in got) or "none"


def num(v):
    return int(v, 0) if v else 0


def names(values, table):
    return "+".join(table.get(num(v), str(num(v))) for v in values)


def hostport(addr, port):
    return ("[%s]:%s" if ":" in addr else "%s:%s") % (addr, port)


def tunnel(r):
    """The outer headers of a VXLAN or GRE packet as a prefix, and the
    record with them left out (the inner packet's values come second)."""
    if r["vxlan.vni"]:
        pre = "[VXLAN %s > %s vni=%s]" % (
            hostport(first(r, "ip.src"), first(r, "udp.srcport")),
            hostport(first(r, "ip.dst"), first(r, "udp.dstport")),
            first(r, "vxlan.vni"))
        outer = ("eth.", "ip.", "udp.")
    elif r["gre.proto"]:
        pre = "[GRE %s > %s proto=0x%04x]" % (
            first(r, "ip.src"), first(r, "ip.dst"),
            num(first(r, "gre.proto")))
        outer = ("ip.",)
    else:
        return None, r
    return pre, {f: v[1:] if f.startswith(outer) else v
                 for f, v in r.items()}


def llc(r):
    """An 802.3 frame's length, LLC header and, for STP, the BPDU."""
    s = "%s > %s 802.3 len=%s LLC dsap=0x%02x ssap=0x%02x ctrl=0x%02x" % (
        first(r, "eth.src"), first(r, "eth.dst"), first(r, "eth.len"),
        num(first(r, "llc.dsap")), num(first(r, "llc.ssap")),
        num(first(r, "llc.control")))
    if r["stp.type"]:
        s += " STP type=0x%02x flags=0x%02x root=%s bridge=%s port=0x%04x" \
            " hello=%s max_age=%s fwd=%s" % (
                num(first(r, "stp.type")), num(first(r, "stp.flags")),
                first(r, "stp.root.hw"), first(r, "stp.bridge.hw"),
                num(first(r, "stp.port")), first(r, "stp.hello"),
                first(r, "stp.max_age"), first(r, "stp.forward"))
    return s


def pppoed(r):
    """A PPPoE discovery packet: code, session, the tags rp-pppoe sends
    (the AC-Cookie by its length: its value is random)."""
    s = "%s > %s PPPoED code=0x%02x session=0x%04x len=%s" % (
        first(r, "eth.src"), first(r, "eth.dst"), num(first(r, "pppoe.code")),
        num(first(r, "pppoe.session_id")), first(r, "pppoe.payload_length"))
    for f, name in (("service_name", "Service-Name"), ("ac_name", "AC-Name"),
                    ("generic_error", "Generic-Error")):
        if r["pppoed.tags." + f]:
            s += ' %s="%s"' % (name, ",".join(r["pppoed.tags." + f]))
    if r["pppoed.tags.ac_cookie"]:
        s += " AC-Cookie(%d B)" % (len(first(r, "pppoed.tags.ac_cookie")
                                       .replace(":", "")) // 2)
    return s


def row(r):
    parts = []
    pre, r = tunnel(r)
    if pre:
        parts.append(pre)
    n, flen, clen = (first(r, "frame.number"), first(r, "frame.len"),
                     first(r, "frame.cap_len"))
    size = flen if flen == clen else "%s(cap %s)" % (flen, clen)
    if r["sll.pkttype"]:
        ifx = first(r, "sll.ifindex")
        parts.append("[%s%s]" % ("if%s " % ifx if ifx else "",
                                 PKTTYPE.get(first(r, "sll.pkttype"), "?")))
    if r["null.family"]:
        parts.append("[AF %s]" % first(r, "null.family"))
    if r["ieee8021ad.id"]:
        parts.append("[802.1ad %s]" % first(r, "ieee8021ad.id"))
    for v in r["vlan.id"]:
        parts.append("[802.1Q %s]" % v)
    if r["pppoe.code"]:
        parts.append(pppoed(r))
        return n, size, " ".join(parts)
    if r["llc.dsap"]:
        parts.append(llc(r))
        return n, size, " ".join(parts)
    if r["arp.opcode"]:
        op = first(r, "arp.opcode")
        if op == "1":
            parts.append("ARP request who-has %s tell %s (%s)" % (
                first(r, "arp.dst.proto_ipv4"), first(r, "arp.src.proto_ipv4"),
                first(r, "arp.src.hw_mac")))
        else:
            parts.append("ARP reply %s is-at %s" % (
                first(r, "arp.src.proto_ipv4"), first(r, "arp.src.hw_mac")))
        return n, size, " ".join(parts)
    v4, v6 = r["ip.src"], r["ipv6.src"]
    if v4:
        src, dst = first(r, "ip.src"), first(r, "ip.dst")
        extra = []
        if first(r, "ip.hdr_len") not in ("", "20"):
            extra.append("ihl=%s" % first(r, "ip.hdr_len"))
        if r["ip.opt.type"]:
            extra.append("opt=%s" % names(r["ip.opt.type"], IPV4_OPT))
        if first(r, "ip.flags.mf") in ("1", "True") or first(r, "ip.frag_offset") not in ("", "0"):
            extra.append("frag off=%d%s" % (int(first(r, "ip.frag_offset") or 0) * 8,
                                            " MF" if first(r, "ip.flags.mf") in ("1", "True") else ""))
        ipinfo = "IPv4 ttl=%s%s" % (first(r, "ip.ttl"), (" " + " ".join(extra)) if extra else "")
    elif v6:
        src, dst = first(r, "ipv6.src"), first(r, "ipv6.dst")
        extra = []
        if r["ipv6.hopopts.nxt"]:
            extra.append("hbh(opt=%s)" % names(r["ipv6.opt.type"], IPV6_OPT))
        if r["ipv6.fraghdr.nxt"]:
            extra.append("frag off=%d%s" % (int(first(r, "ipv6.fraghdr.offset")) * 8,
                                            " M" if first(r, "ipv6.fraghdr.more") in ("1", "True") else ""))
        ipinfo = "IPv6 hlim=%s%s" % (first(r, "ipv6.hlim"), (" " + " ".join(extra)) if extra else "")
    else:
        parts.append("(no IP)")
        return n, size, " ".join(parts)
    if r["tcp.srcport"]:
        s = "%s > %s %s TCP %s seq=%s ack=%s len=%s" % (
            hostport(src, first(r, "tcp.srcport")),
            hostport(dst, first(r, "tcp.dstport")), ipinfo,
            tcp_flags(r), first(r, "tcp.seq"), first(r, "tcp.ack"),
            first(r, "tcp.len"))
        if r["tcp.options.mss_val"] or r["tcp.options.wscale.shift"]:
            opts = []
            if r["tcp.options.mss_val"]:
                opts.append("mss=" + first(r, "tcp.options.mss_val"))
            if r["tcp.options.sack_perm"]:
                opts.append("sackOK")
            if r["tcp.options.timestamp.tsval"]:
                opts.append("TS")
            if r["tcp.options.wscale.shift"]:
                opts.append("wscale=" + first(r, "tcp.options.wscale.shift"))
            s += " <" + ",".join(opts) + ">"
        t = text(first(r, "tcp.payload"))
        if t:
            s += " " + t
        parts.append(s)
    elif r["udp.srcport"] and not (r["icmp.type"] or r["icmpv6.type"]):
        s = "%s > %s %s UDP len=%s" % (
            hostport(src, first(r, "udp.srcport")),
            hostport(dst, first(r, "udp.dstport")), ipinfo,
            first(r, "udp.length"))
        t = text(first(r, "udp.payload"))
        if t:
            s += " " + t
        parts.append(s)
    elif r["icmp.type"]:
        t, c = first(r, "icmp.type"), first(r, "icmp.code")
        s = "%s > %s %s ICMP type=%s code=%s" % (src, dst, ipinfo, t, c)
        if t in ("0", "8"):
            s += " id=0x%04x seq=%s" % (num(first(r, "icmp.ident")),
                                        first(r, "icmp.seq"))
        elif len(v4) > 1:
            s += " quoting IPv4 %s > %s proto=%s" % (
                hostport(first(r, "ip.src", 1), first(r, "udp.srcport")),
                hostport(first(r, "ip.dst", 1), first(r, "udp.dstport")),
                first(r, "ip.proto", 1))
        parts.append(s)
    elif r["icmpv6.type"]:
        t, c = first(r, "icmpv6.type"), first(r, "icmpv6.code")
        s = "%s > %s %s ICMPv6 type=%s code=%s" % (src, dst, ipinfo, t, c)
        if t in ("128", "129"):
            s += " id=0x%04x seq=%s" % (num(first(r, "icmpv6.echo.identifier")),
                                        first(r, "icmpv6.echo.sequence_number"))
        elif t == "135":
            s += " target=%s" % first(r, "icmpv6.nd.ns.target_address")
        elif t == "136":
            s += " target=%s" % first(r, "icmpv6.nd.na.target_address")
        elif t == "143":
            s += " MLDv2 report %s %s" % (
                names(r["icmpv6.mldr.mar.record_type"], RECORD),
                first(r, "icmpv6.mldr.mar.multicast_address"))
        elif len(v6) > 1:
            s += " quoting IPv6 %s > %s nxt=%s" % (
                hostport(first(r, "ipv6.src", 1), first(r, "udp.srcport")),
                hostport(first(r, "ipv6.dst", 1), first(r, "udp.dstport")),
                first(r, "ipv6.nxt", 1))
        parts.append(s)
    elif r["igmp.type"]:
        parts.append("%s > %s %s IGMP type=0x%02x v3 report %s %s" % (
            src, dst, ipinfo, num(first(r, "igmp.type")),
            names(r["igmp.record_type"], RECORD), first(r, "igmp.maddr")))
    else:
        parts.append("%s > %s %s (fragment, no transport header)" % (src, dst, ipinfo))
    return n, size, " ".join(parts)


def table(path):
    return ["%3s %-14s %s" % row(r) for r in tshark(path)]


def truth_block(path):
    lines, inside = [], False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "frames:":
                inside = True
                continue
            if inside:
                if not line.strip():
                    break
                lines.append(line)
    return lines


def main(argv):
    if len(argv) == 1:
        print("\n".join(table(argv[0])))
        return
    if len(argv) != 2:
        sys.exit(__doc__)
    got, want = table(argv[0]), truth_block(argv[1])
    if got != want:
        print("capture does not match %s:" % argv[1], file=sys.stderr)
        for g, w in zip(got + [""] * len(want), want + [""] * len(got)):
            mark = " " if g == w else "!"
            if g or w:
                print("%s got:  %s\n%s want: %s" % (mark, g, mark, w), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
