#!/bin/bash
# pcapng-mixed.pcapng and pcapng-multi.pcapng: pcapng files whose
# interfaces have different link types (issue 17 point 2), which libpcap
# 1.10 refuses.  Namespaces a and b are joined by a veth (two_hosts); a
# also has a tun interface tun0 (10.9.0.1/24, held open by tun-hold.py).
# Four dumpcaps record at once:
#   eth.pcapng   a's veth end va           EN10MB
#   any.pcapng   b's "any" device          LINUX_SLL2 (-y LINUX_SLL2)
#   lo.pcapng    a's lo                    EN10MB (zero MACs)
#   tun.pcapng   a's tun0                  RAW (LINKTYPE_RAW = 101)
# and a fifth, `dumpcap -i va -i tun0 -i lo` in a, writes pcapng-multi
# directly (three IDBs, two link types).  mergecap of the four makes
# pcapng-mixed (four IDBs, three link types, with their if_name).
# Traffic: a pings b twice (ARP first), a UDP datagram a->b port 5300,
# one a->127.0.0.1 port 5301, two pings and one UDP datagram to 10.9.0.2
# port 5302 through tun0 (nothing answers there).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v dumpcap >/dev/null || die "missing tool: dumpcap"
command -v mergecap >/dev/null || die "missing tool: mergecap"

two_hosts
in_ns a sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
bg_run tun a "$PY" "$PCAPDIR/tun-hold.py" tun0
for _ in $(seq 50); do in_ns a ip link show tun0 >/dev/null 2>&1 && break; sleep 0.1; done
in_ns a ip addr add 10.9.0.1/24 dev tun0
in_ns a ip link set tun0 up
hosts_up

pids=() errs=()
start() { dumpcap_start "$@"; pids+=("$CAP_PID"); errs+=("$CAP_ERR"); }
start a va eth.pcapng
start b any any.pcapng -y LINUX_SLL2
start a lo lo.pcapng
start a tun0 tun.pcapng
start a va pcapng-multi.pcapng -i tun0 -i lo

udp() { # TAG ADDR PORT TEXT (from port 40000 + PORT - 5300)
	in_ns "$1" "$PY" -c 'import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", 40000 + int(sys.argv[2]) - 5300))
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))' "$2" "$3" "$4"
}
in_ns a ping -n -q -c 2 -i 0.2 -e 4660 "$B4" >/dev/null
udp a "$B4" 5300 "to b over the veth"
udp a 127.0.0.1 5301 "to a over lo"
in_ns a ping -n -q -c 2 -i 0.2 -W 0.2 -e 4661 10.9.0.2 >/dev/null || true
udp a 10.9.0.2 5302 "into tun0"
sleep 0.5
for i in "${!pids[@]}"; do capture_stop "${pids[i]}" "${errs[i]}"; done

mergecap -F pcapng -w "$WORK/pcapng-mixed.pcapng" "$WORK/eth.pcapng" \
	"$WORK/any.pcapng" "$WORK/lo.pcapng" "$WORK/tun.pcapng"
for f in pcapng-mixed pcapng-multi; do
	tshark -r "$WORK/$f.pcapng" -T fields -e frame.interface_id \
		-e frame.interface_name -e frame.protocols >&2
	install_capture "$f.pcapng"
done
