#!/bin/bash
# grpc-web.pcap: curl (HTTP/2 with prior knowledge) calls a gRPC-Web server
# written with python3-h2 (grpc-web-peers.py server, service
# inference.InferenceService of inference.proto) on 127.0.0.1:50052, in a
# private namespace: five calls, one curl (and connection) each: a
# binary application/grpc-web+proto call, an application/grpc-web-text
# call (base64 bodies, padding between frames), the bare
# application/grpc-web type, a NOT_FOUND status in the body's trailer frame
# (flag 0x80) and an unknown method answered trailers-only (grpc-status in
# the HEADERS).  The request bodies are made by grpc-web-peers.py from the
# generated stubs; the client's record of each call (from curl's saved
# responses) is grpc-web.calls, which tests/grpc_calls.sh compares with
# `netscope --calls`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$PY" -c 'import h2, grpc_tools' 2>/dev/null ||
	die "needs python3-h2 and python3-grpc-tools"
command -v curl >/dev/null || die "needs curl"

OUT=grpc-web.pcap
export STUBS=$WORK/stubs
mkdir -p "$STUBS" "$WORK/web"
"$PY" -m grpc_tools.protoc -I"$PCAPDIR" --python_out="$STUBS" \
	"$PCAPDIR/inference.proto"
"$PY" "$PCAPDIR/grpc-web-peers.py" bodies "$WORK/web"
ns_new lo
bg_run server lo "$PY" "$PCAPDIR/grpc-web-peers.py" server 50052
wait_listen lo tcp 50052
capture_start lo lo "$OUT" tcp port 50052
# one connection each: curl 7.88 fails to reuse a prior-knowledge
# connection for the next request of a --next list
for ((i = 0; i < 5; i++)); do
	read -r path ctype <"$WORK/web/req-$i.args"
	in_ns lo curl --http2-prior-knowledge -sS -X POST \
		-H "content-type: $ctype" -H "x-grpc-web: 1" \
		--data-binary "@$WORK/web/req-$i.bin" \
		-D "$WORK/web/hdr-$i.txt" -o "$WORK/web/resp-$i.bin" \
		"http://127.0.0.1:50052$path"
done
sleep 0.3
capture_stop

F=$WORK/$OUT
expect_count "$F" 5 'tcp[tcpflags] == tcp-syn'
"$PY" "$PCAPDIR/grpc-web-peers.py" record "$WORK/web" "$WORK/grpc-web.calls"
install_capture "$OUT"
install -m 644 "$WORK/grpc-web.calls" "$PCAPDIR/grpc-web.calls"
