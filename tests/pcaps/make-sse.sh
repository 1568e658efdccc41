#!/bin/bash
# The SSE (text/event-stream) captures: sse-server.py (one LLM-like stream
# of events per request, known delays of 20-60 ms between them) fetched by
# curl -N, on a namespace's lo.  The server writes its own record of every
# event and when it sent it (NAME.events, JSON lines; see sse-server.py;
# not a .truth frame table: the timestamps and the TLS bytes change with
# every run):
#
#   sse-http1.pcap        HTTP/1.1 on 127.0.0.1:8000, three times: /stream
#                         (Transfer-Encoding: chunked, curl closes the
#                         kept-alive connection), /stream-close (no
#                         length: the body ends with the connection) and
#                         /stream-long (150 events 2-12 ms apart, chunked:
#                         its gaps' p99 is not their maximum)
#   sse-limits.pcap       HTTP/1.1 on 127.0.0.1:8002, /stream-limits: 70
#                         events in one write (more than one layer shows),
#                         an event of 70000 bytes (past the 64 KiB kept)
#   sse-h2.pcap           the same events over HTTP/2 with prior knowledge
#                         on 127.0.0.1:18001 (curl --http2-prior-knowledge)
#   sse-tls-decrypt.pcap  over TLS 1.3 on 127.0.0.1:8443, curl writing its
#                         key log (sse-tls-decrypt.keys): HTTP/1.1 chunked
#                         (ALPN http/1.1), then HTTP/2 (ALPN h2)
#
# Certificates are throwaway (lib-tls.sh); the keys file holds only the
# secrets of these loopback sessions.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"
"$PY" -c 'import h2' 2>/dev/null || die "needs python3-h2"
command -v curl >/dev/null || die "needs curl"

ns_new lo
# real-time priority: the server's clock readings (its record) are then
# not delayed by whatever else the machine runs
SERVER=(chrt -f 20 "$PY" "$PCAPDIR/sse-server.py")

# fetch URL [curl args...]: the whole stream, or fail
fetch() {
	local url=$1
	shift
	in_ns lo env SSLKEYLOGFILE="$WORK/sse-tls-decrypt.keys" \
		curl -sS -N --max-time 10 "$@" "$url" >>"$WORK/curl.out" ||
		die "curl $url failed"
}

OUT=sse-http1.pcap
bg_run h1 lo "${SERVER[@]}" h1 8000 "$WORK/sse-http1.events"
wait_listen lo tcp 8000
capture_start lo lo "$OUT" tcp port 8000
fetch http://127.0.0.1:8000/stream --http1.1
fetch http://127.0.0.1:8000/stream-close --http1.1
fetch http://127.0.0.1:8000/stream-long --http1.1
capture_stop
expect_count "$WORK/$OUT" 3 'tcp[tcpflags] == tcp-syn'

OUT=sse-limits.pcap
bg_run limits lo "${SERVER[@]}" h1 8002 "$WORK/sse-limits.events"
wait_listen lo tcp 8002
capture_start lo lo "$OUT" tcp port 8002
fetch http://127.0.0.1:8002/stream-limits --http1.1
capture_stop
expect_count "$WORK/$OUT" 1 'tcp[tcpflags] == tcp-syn'

OUT=sse-h2.pcap
bg_run h2 lo "${SERVER[@]}" h2 18001 "$WORK/sse-h2.events"
wait_listen lo tcp 18001
capture_start lo lo "$OUT" tcp port 18001
fetch http://127.0.0.1:18001/stream --http2-prior-knowledge
capture_stop
expect_count "$WORK/$OUT" 1 'tcp[tcpflags] == tcp-syn'

tls_certs
OUT=sse-tls-decrypt.pcap
bg_run tls lo "${SERVER[@]}" h1 8443 "$WORK/sse-tls-decrypt.events" \
	"$WORK/ec.crt" "$WORK/ec.key"
wait_listen lo tcp 8443
capture_start lo lo "$OUT" tcp port 8443
for v in --http1.1 --http2; do
	fetch https://api.example.com:8443/stream "$v" -k --tlsv1.3 \
		--resolve api.example.com:8443:127.0.0.1 \
		--tls13-ciphers TLS_AES_128_GCM_SHA256
done
capture_stop
expect_count "$WORK/$OUT" 2 'tcp[tcpflags] == tcp-syn'

# every stream reached its end on the client's side too
[ "$(grep -c '^data: \[DONE\]' "$WORK/curl.out")" = 6 ] ||
	die "curl did not see six streams end with [DONE]"
[ "$(grep -c '^data: {"token": "t150"}' "$WORK/curl.out")" = 1 ] ||
	die "curl did not see the long stream's last event"
for n in sse-http1 sse-limits sse-h2 sse-tls-decrypt; do
	[ "$(grep -c '"kind": "event"' "$WORK/$n.events")" -gt 0 ] ||
		die "$n.events has no events"
	install -m 644 "$WORK/$n.events" "$PCAPDIR/$n.events"
	install_capture "$n.pcap"
done
install -m 644 "$WORK/sse-tls-decrypt.keys" "$PCAPDIR/sse-tls-decrypt.keys"
