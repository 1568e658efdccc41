#!/bin/bash
# tshark oracle over the bundled captures: every packet's addresses, ports,
# TCP flags and lengths must equal tshark's (tests/oracle.py).
set -u
NS=${NETSCOPE:-./netscope}
SRC=${srcdir:-.}
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
exec python3 "$SRC/tests/oracle.py" --min 100 "$NS" \
	"$SRC"/tests/pcaps/*.pcap "$SRC"/tests/pcaps/*.pcapng
