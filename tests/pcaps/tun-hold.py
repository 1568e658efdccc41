#!/usr/bin/python3
"""tun-hold.py NAME — create the tun interface NAME (IFF_TUN, no packet
information header) and hold it open until killed, reading and dropping
what the kernel sends to it.  Packets routed to NAME are captured on it
with link type RAW (LINKTYPE_RAW = 101): an IP packet with no link header.
"""
import fcntl
import os
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", sys.argv[1].encode(),
                                       IFF_TUN | IFF_NO_PI))
print("ready", flush=True)
while True:
    os.read(fd, 65536)
