#!/bin/bash
# udp-ipv4.pcap: three request/response pairs between udp-pingpong.py
# client (127.0.0.1:40100) and server (127.0.0.1:20100), captured on lo (Ethernet) in
# a private namespace.  Requests "netscope ping N\n", answers "netscope pong N\n".
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=udp-ipv4.pcap
ns_new lo
bg_run udp-server lo "$PY" "$PCAPDIR/udp-pingpong.py" server 127.0.0.1 20100 3
SERVER=$BG_PID
wait_listen lo udp 20100
capture_start lo lo "$OUT" udp port 20100
in_ns lo "$PY" "$PCAPDIR/udp-pingpong.py" client 127.0.0.1 20100 3 40100
wait "$SERVER"
capture_stop

F=$WORK/$OUT
expect_count "$F" 6
expect_count "$F" 3 dst port 20100
expect_count "$F" 3 src port 20100
install_capture "$OUT"
