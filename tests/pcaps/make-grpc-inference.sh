#!/bin/bash
# grpc-inference.pcap: a Python grpcio client calls a Python grpcio server
# (grpc-peers.py, service inference.InferenceService from inference.proto)
# over one h2c connection on 127.0.0.1:50051, in a private namespace:
# unary calls, a NOT_FOUND error with a percent-encoded message, three
# concurrent calls, a request of more than 64 KiB, a gzip-compressed call,
# server streaming (5 messages 20 ms apart), client streaming and a
# bidirectional call.  The client's own record of each call (method,
# status, request and response message counts) is grpc-inference.calls,
# which tests/grpc_calls.sh compares with `netscope --calls`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$PY" -c 'import grpc, grpc_tools' 2>/dev/null ||
	die "needs python3-grpcio and python3-grpc-tools"

OUT=grpc-inference.pcap
export STUBS=$WORK/stubs
mkdir -p "$STUBS"
"$PY" -m grpc_tools.protoc -I"$PCAPDIR" --python_out="$STUBS" \
	--grpc_python_out="$STUBS" "$PCAPDIR/inference.proto"
ns_new lo
bg_run server lo "$PY" "$PCAPDIR/grpc-peers.py" server 50051
wait_listen lo tcp 50051
capture_start lo lo "$OUT" tcp port 50051
in_ns lo "$PY" "$PCAPDIR/grpc-peers.py" client 50051 "$WORK/grpc-inference.calls"
sleep 0.3
capture_stop

F=$WORK/$OUT
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
install -m 644 "$WORK/grpc-inference.calls" "$PCAPDIR/grpc-inference.calls"
