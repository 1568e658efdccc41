#!/usr/bin/python3
"""Join a multicast group on one interface, hold it, then leave it.

  mcast-join.py GROUP IFNAME HOLD_SECONDS

Standard library only.  Joining makes the kernel send unsolicited
membership reports (MLDv2 for an IPv6 group, IGMPv3 for an IPv4 group),
leaving sends the state-change reports again.  MLD messages travel with an
IPv6 hop-by-hop header carrying the Router Alert option (RFC 3810 section
5), IGMPv3 reports with the IPv4 Router Alert option (RFC 3376 section 4),
which is why the captures use this program.
"""
import socket
import struct
import sys
import time


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    group, ifname, hold = argv[0], argv[1], float(argv[2])
    ifindex = socket.if_nametoindex(ifname)
    if ":" in group:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        mreq = socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", ifindex)
        join, leave = socket.IPV6_JOIN_GROUP, socket.IPV6_LEAVE_GROUP
        level = socket.IPPROTO_IPV6
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # struct ip_mreqn: group, local address (any), interface index
        mreq = (socket.inet_aton(group) + socket.inet_aton("0.0.0.0")
                + struct.pack("@i", ifindex))
        join, leave = socket.IP_ADD_MEMBERSHIP, socket.IP_DROP_MEMBERSHIP
        level = socket.IPPROTO_IP
    s.setsockopt(level, join, mreq)
    time.sleep(hold)
    s.setsockopt(level, leave, mreq)
    time.sleep(hold)


if __name__ == "__main__":
    main(sys.argv[1:])
