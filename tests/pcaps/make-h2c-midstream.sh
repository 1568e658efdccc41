#!/bin/bash
# h2c-midstream.pcap: h2c-nghttp.pcap from its 13th packet on (editcap), a
# capture that starts mid-connection: the server's side starts inside a
# DATA frame of /large.txt, the client's inside a header block (a
# CONTINUATION whose HEADERS is not in the capture), and neither HPACK
# table is known.  netscope must find the frame boundaries by its
# heuristic, say so, and show `headers unavailable (HPACK context lost)`
# rather than wrong headers.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v editcap >/dev/null || die "needs editcap (wireshark-common)"

SRC=$PCAPDIR/h2c-nghttp.pcap
OUT=h2c-midstream.pcap
[[ -f $SRC ]] || die "needs $SRC (make-h2c-nghttp.sh)"
expect_count "$SRC" 24
editcap -F pcap -r "$SRC" "$WORK/$OUT" 13-24

F=$WORK/$OUT
expect_count "$F" 12
expect_count "$F" 0 'tcp[tcpflags] & tcp-syn != 0'
install_capture "$OUT"
