#!/bin/bash
# grpc-errors.pcap: the grpcio client and server of grpc-errors.pcap
# (grpc-peers.py ... errors) on 127.0.0.1:8080 (an HTTP port: h2c with prior knowledge must be taken
# from the HTTP/1.1 dissector bound there): a deadline that passes
# before the server answers, a server stream the client cancels after two
# messages (RST_STREAM), an unknown method (UNIMPLEMENTED), three gzip
# responses of 90 000 bytes each, and twenty concurrent unary calls.  The
# client's record is grpc-errors.calls.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$PY" -c 'import grpc, grpc_tools' 2>/dev/null ||
	die "needs python3-grpcio and python3-grpc-tools"

OUT=grpc-errors.pcap
export STUBS=$WORK/stubs
mkdir -p "$STUBS"
"$PY" -m grpc_tools.protoc -I"$PCAPDIR" --python_out="$STUBS" \
	--grpc_python_out="$STUBS" "$PCAPDIR/inference.proto"
ns_new lo
bg_run server lo "$PY" "$PCAPDIR/grpc-peers.py" server 8080
wait_listen lo tcp 8080
capture_start lo lo "$OUT" tcp port 8080
in_ns lo "$PY" "$PCAPDIR/grpc-peers.py" client 8080 "$WORK/grpc-errors.calls" errors
sleep 0.3
capture_stop

F=$WORK/$OUT
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
install -m 644 "$WORK/grpc-errors.calls" "$PCAPDIR/grpc-errors.calls"
