#!/bin/bash
# grpc-web-http1.pcap: gRPC-Web over HTTP/1.1, as browsers send it through
# Envoy or grpcwebproxy.  A python3 http.server (grpc-web-peers.py
# server-h1, service inference.InferenceService of inference.proto) on
# 127.0.0.1:8080, in a private namespace, answers seven calls
# (REQUESTS_H1 in grpc-web-peers.py): five curl --http1.1 runs, one
# connection each — a binary application/grpc-web+proto call, an
# application/grpc-web-text call (base64 bodies, padding between frames),
# a NOT_FOUND status in the body's trailer frame (flag 0x80), an unknown
# method answered trailers-only (grpc-status in the HTTP headers), and a
# server-streaming StreamPredict answered with chunked transfer coding
# (one chunk per piece, the first message split between two chunks) —
# then python's http.client makes two calls on one keep-alive connection
# (a unary call and a -text StreamPredict, chunked).  The client's record
# of each call (from the saved responses) is grpc-web-http1.calls, which
# tests/grpc_calls.sh compares with `netscope --calls`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$PY" -c 'import grpc_tools' 2>/dev/null || die "needs python3-grpc-tools"
command -v curl >/dev/null || die "needs curl"

OUT=grpc-web-http1.pcap
export STUBS=$WORK/stubs
mkdir -p "$STUBS" "$WORK/web"
"$PY" -m grpc_tools.protoc -I"$PCAPDIR" --python_out="$STUBS" \
	"$PCAPDIR/inference.proto"
"$PY" "$PCAPDIR/grpc-web-peers.py" bodies "$WORK/web" h1
ns_new lo
bg_run server lo "$PY" "$PCAPDIR/grpc-web-peers.py" server-h1 8080
wait_listen lo tcp 8080
capture_start lo lo "$OUT" tcp port 8080
for ((i = 0; i < 5; i++)); do
	read -r path ctype <"$WORK/web/req-$i.args"
	in_ns lo curl --http1.1 -sS -X POST \
		-H "content-type: $ctype" -H "x-grpc-web: 1" \
		--data-binary "@$WORK/web/req-$i.bin" \
		-D "$WORK/web/hdr-$i.txt" -o "$WORK/web/resp-$i.bin" \
		"http://127.0.0.1:8080$path"
done
in_ns lo "$PY" "$PCAPDIR/grpc-web-peers.py" client-h1 8080 "$WORK/web" 5 6
sleep 0.3
capture_stop

F=$WORK/$OUT
expect_count "$F" 6 'tcp[tcpflags] == tcp-syn'
"$PY" "$PCAPDIR/grpc-web-peers.py" record "$WORK/web" "$WORK/grpc-web-http1.calls" h1
install_capture "$OUT"
install -m 644 "$WORK/grpc-web-http1.calls" "$PCAPDIR/grpc-web-http1.calls"
