#!/usr/bin/python3
"""Load a tiny tc (sched_cls) eBPF program that pushes or pops VLAN tags,
and pin it to a bpffs path for `tc filter add ... bpf da object-pinned PATH`.

Why this exists: the kernel these captures were made on is built without
CONFIG_VLAN_8021Q (no `ip link add ... type vlan`) and without
CONFIG_BRIDGE_VLAN_FILTERING, so there is no VLAN sub-interface to put the
addresses on.  Instead the addresses sit on the veth itself and the kernel's
own VLAN code tags the frames: on egress the program calls the helper
bpf_skb_vlan_push() (the same skb_vlan_push() that openvswitch and act_vlan
use), on ingress bpf_skb_vlan_pop() removes the tags again before the IP
stack sees the frame.  Everything above the tags (ARP, IP, ICMP, TCP) is the
ordinary traffic of ping/curl/http.server; tcpdump on the veth records the
frames with their tags exactly as the kernel carries them (libpcap
re-inserts the accelerated outer tag from the packet metadata, as it does
for real VLAN devices).

Usage (standard library only; needs root and a mounted bpffs):
  tc-vlan-bpf.py PIN push TPID:VID [TPID:VID ...]
      push the tags in order: the first is innermost, the last outermost,
      e.g. `push 0x8100:100 0x88a8:200` gives 802.1ad 200 / 802.1Q 100.
  tc-vlan-bpf.py PIN pop N
      pop N tags (outermost first).
Every program returns TC_ACT_OK (0), i.e. the packet always continues.

The program is assembled here instruction by instruction (it is 3 to 9
instructions long) so no compiler is needed:
  r6 = r1                      ; keep the skb pointer
  r1 = r6; r2 = htons(TPID); r3 = VID; call bpf_skb_vlan_push   ; per push
  r1 = r6; call bpf_skb_vlan_pop                                 ; per pop
  r0 = 0; exit
"""
import ctypes
import os
import struct
import sys

SYS_BPF = 321                      # x86_64
BPF_PROG_LOAD, BPF_OBJ_PIN = 5, 6
BPF_PROG_TYPE_SCHED_CLS = 3
FUNC_SKB_VLAN_PUSH, FUNC_SKB_VLAN_POP = 18, 19
MOV64_IMM, MOV64_REG, CALL, EXIT = 0xB7, 0xBF, 0x85, 0x95

libc = ctypes.CDLL(None, use_errno=True)


def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def assemble(ops):
    out = [insn(MOV64_REG, dst=6, src=1)]
    for op in ops:
        out.append(insn(MOV64_REG, dst=1, src=6))
        if op[0] == "push":
            tpid, vid = op[1], op[2]
            # vlan_proto is __be16: pass the TPID in network byte order.
            out.append(insn(MOV64_IMM, dst=2, imm=struct.unpack(
                "<H", struct.pack(">H", tpid))[0]))
            out.append(insn(MOV64_IMM, dst=3, imm=vid))
            out.append(insn(CALL, imm=FUNC_SKB_VLAN_PUSH))
        else:
            out.append(insn(CALL, imm=FUNC_SKB_VLAN_POP))
    out.append(insn(MOV64_IMM, dst=0, imm=0))
    out.append(insn(EXIT))
    return b"".join(out)


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, len(attr))
    ret = libc.syscall(SYS_BPF, cmd, buf, len(attr))
    if ret < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return ret


def load_and_pin(code, pin):
    prog = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(65536)
    attr = struct.pack("<IIQQIIQ", BPF_PROG_TYPE_SCHED_CLS, len(code) // 8,
                       ctypes.addressof(prog), ctypes.addressof(lic),
                       1, len(log), ctypes.addressof(log))
    try:
        fd = bpf(BPF_PROG_LOAD, attr.ljust(128, b"\0"))
    except OSError as e:
        sys.exit("BPF_PROG_LOAD: %s\n%s" % (e, log.value.decode()))
    path = ctypes.create_string_buffer(pin.encode())
    bpf(BPF_OBJ_PIN, struct.pack("<QI", ctypes.addressof(path), fd)
        .ljust(128, b"\0"))
    os.close(fd)


def main(argv):
    if len(argv) >= 3 and argv[1] == "push":
        ops = []
        for spec in argv[2:]:
            tpid, vid = spec.split(":")
            ops.append(("push", int(tpid, 0), int(vid, 0)))
    elif len(argv) == 3 and argv[1] == "pop":
        ops = [("pop",)] * int(argv[2])
    else:
        sys.exit(__doc__)
    load_and_pin(assemble(ops), argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])
