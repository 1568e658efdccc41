#!/bin/bash
# grpc-latency.pcap: the grpcio client and server (grpc-peers.py latency)
# on 127.0.0.1:50051, one call at a time on one connection: a warm-up
# call, 30 unary Predict calls the server answers after 3, 6, … 30 ms
# (three rounds), three that fail (NOT_FOUND twice, UNAVAILABLE), three
# server streams of six messages 50 ms apart, and a stream that fails
# (RESOURCE_EXHAUSTED).  What the programs recorded:
#   grpc-latency.calls   the client: "<path> <status> <req msgs> <resp msgs>
#                        <start> <end>" per call (its clock, seconds)
#   grpc-latency.server  the server: "start <model> <t>" per handler and
#                        "send <model> <i> <t>" per stream message
# tests/srt.sh checks -z grpc,srt against both and against the frame
# times tshark reads.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$PY" -c 'import grpc, grpc_tools' 2>/dev/null ||
	die "needs python3-grpcio and python3-grpc-tools"

OUT=grpc-latency.pcap
export STUBS=$WORK/stubs
mkdir -p "$STUBS"
"$PY" -m grpc_tools.protoc -I"$PCAPDIR" --python_out="$STUBS" \
	--grpc_python_out="$STUBS" "$PCAPDIR/inference.proto"
ns_new lo
export SERVER_LOG=$WORK/grpc-latency.server
bg_run server lo "$PY" "$PCAPDIR/grpc-peers.py" server 50051
wait_listen lo tcp 50051
capture_start lo lo "$OUT" tcp port 50051
in_ns lo "$PY" "$PCAPDIR/grpc-peers.py" latency 50051 "$WORK/grpc-latency.calls"
sleep 0.3
capture_stop

F=$WORK/$OUT
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
install -m 644 "$WORK/grpc-latency.calls" "$PCAPDIR/grpc-latency.calls"
install -m 644 "$SERVER_LOG" "$PCAPDIR/grpc-latency.server"
