#!/bin/bash
# grpc-midstream.pcap: a grpcio client and server (grpc-peers.py ...
# midstream) on 127.0.0.1:50061, one channel (one TCP connection): warm-up
# calls build both sides' HPACK tables, a pause, then eight calls (error
# statuses with new and repeated messages, server streams); the capture is
# cut with editcap at the pause, so it starts mid-connection with both HPACK
# contexts unknown.  The client's record of the kept calls is
# grpc-midstream.calls ("<path> <status> <req msgs> <resp msgs> <message>").
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$PY" -c 'import grpc, grpc_tools' 2>/dev/null ||
	die "needs python3-grpcio and python3-grpc-tools"
command -v editcap >/dev/null || die "needs editcap (wireshark-common)"

OUT=grpc-midstream.pcap
export STUBS=$WORK/stubs
mkdir -p "$STUBS"
"$PY" -m grpc_tools.protoc -I"$PCAPDIR" --python_out="$STUBS" \
	--grpc_python_out="$STUBS" "$PCAPDIR/inference.proto"
ns_new lo
bg_run server lo "$PY" "$PCAPDIR/grpc-peers.py" server 50061
wait_listen lo tcp 50061
capture_start lo lo full.pcap tcp port 50061
in_ns lo "$PY" "$PCAPDIR/grpc-peers.py" midstream 50061 \
	"$WORK/grpc-midstream.calls" "$WORK/cut"
sleep 0.3
capture_stop

# keep what was captured after the pause (capture and client share the
# clock: one machine, loopback)
editcap -A "$(cat "$WORK/cut")" "$WORK/full.pcap" "$WORK/$OUT"
expect_count "$WORK/$OUT" 0 'tcp[tcpflags] & tcp-syn != 0'
install_capture "$OUT"
install -m 644 "$WORK/grpc-midstream.calls" "$PCAPDIR/grpc-midstream.calls"
