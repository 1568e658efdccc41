#!/bin/bash
# tcp-midstream.pcap: a capture that starts in the middle of a connection:
# frames 40-125 of tcp-http-keepalive.pcap, cut out with editcap -r.  It
# begins in the body of the second response (no SYN, no SYN+ACK, so a
# tracker must pick the connection up mid-stream and cannot know the
# initial sequence numbers), holds the whole third request/response and
# ends with the orderly close.  Made from the installed
# tcp-http-keepalive.pcap, so run make-tcp-http-keepalive.sh first when
# regenerating both (make-all.sh runs them in that order).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tcp.sh"
command -v editcap >/dev/null || die "needs editcap (wireshark-common)"

SRC=$PCAPDIR/tcp-http-keepalive.pcap
OUT=tcp-midstream.pcap
[[ -f $SRC ]] || die "needs $SRC (make-tcp-http-keepalive.sh)"
expect_count "$SRC" 125
editcap -F pcap -r "$SRC" "$WORK/$OUT" 40-125

F=$WORK/$OUT
expect_count "$F" 86
expect_count "$F" 0 'tcp[tcpflags] & tcp-syn != 0'
expect_count "$F" 2 'tcp[tcpflags] & tcp-fin != 0'
: >"$WORK/relay.log"  # no relay here: an empty relay: block
check_install "$OUT"
