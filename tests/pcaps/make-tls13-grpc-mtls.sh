#!/bin/bash
# tls13-grpc-mtls.pcap: gRPC over mutual TLS 1.3 on 127.0.0.1:50443, with
# its key log (tls13-grpc-mtls.keys) and the client's record of its calls
# (tls13-grpc-mtls.calls, as grpc-peers.py writes them).  The server is
# grpcio (grpc-tls-peers.py server: grpc-peers.py's InferenceService,
# require_client_auth); the client is Python's ssl module with
# keylog_filename and the h2 library sending real gRPC framing
# (grpc-tls-peers.py client): Predict, a NOT_FOUND, a server-streaming
# StreamPredict of 3 messages, Predict again, on one connection.  The
# client's certificate is a throwaway self-signed one whose URI SAN is a
# SPIFFE ID (spiffe://cluster.local/ns/ml/sa/inference); the server's is
# lib-tls.sh's ECDSA one.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"
"$PY" -c 'import grpc, grpc_tools, h2' 2>/dev/null ||
	die "needs python3-grpcio, python3-grpc-tools and python3-h2"

OUT=tls13-grpc-mtls.pcap
export STUBS=$WORK/stubs
mkdir -p "$STUBS"
"$PY" -m grpc_tools.protoc -I"$PCAPDIR" --python_out="$STUBS" \
	--grpc_python_out="$STUBS" "$PCAPDIR/inference.proto"
tls_certs
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$WORK/client.key" -out "$WORK/client.crt" -days 3650 \
	-subj /CN=inference \
	-addext subjectAltName=URI:spiffe://cluster.local/ns/ml/sa/inference \
	2>/dev/null || die "openssl req (client) failed"

ns_new lo
bg_run server lo "$PY" "$PCAPDIR/grpc-tls-peers.py" server 50443 \
	"$WORK/ec.crt" "$WORK/ec.key" "$WORK/client.crt"
wait_listen lo tcp 50443
capture_start lo lo "$OUT" tcp port 50443
in_ns lo "$PY" "$PCAPDIR/grpc-tls-peers.py" client 50443 \
	"$WORK/tls13-grpc-mtls.calls" "$WORK/tls13-grpc-mtls.keys" \
	"$WORK/ec.crt" "$WORK/client.crt" "$WORK/client.key"
sleep 0.3
capture_stop

expect_count "$WORK/$OUT" 1 'tcp[tcpflags] == tcp-syn'
install -m 644 "$WORK/tls13-grpc-mtls.keys" "$PCAPDIR/tls13-grpc-mtls.keys"
install -m 644 "$WORK/tls13-grpc-mtls.calls" "$PCAPDIR/tls13-grpc-mtls.calls"
install_capture "$OUT"
