#!/bin/bash
# h2c-gap.pcap: h2c-nghttp.pcap without its 11th packet (editcap), as if
# the capture had lost it: the client's segment with the end of one header
# block and the start of the next.  netscope must see the gap (the
# server's ACK covers bytes never seen), distrust the client's HPACK table
# from there on, find the next frame by its heuristic, and show what it
# cannot decode for certain as `headers unavailable (HPACK context lost)`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v editcap >/dev/null || die "needs editcap (wireshark-common)"

SRC=$PCAPDIR/h2c-nghttp.pcap
OUT=h2c-gap.pcap
[[ -f $SRC ]] || die "needs $SRC (make-h2c-nghttp.sh)"
expect_count "$SRC" 24
editcap -F pcap "$SRC" "$WORK/$OUT" 11

F=$WORK/$OUT
expect_count "$F" 23
install_capture "$OUT"
