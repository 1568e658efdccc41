#!/bin/bash
# h2c-upgrade.pcap: nghttp -u fetches /hello.txt from nghttpx (a
# cleartext frontend on port 18080 of 127.0.0.1 in a private namespace,
# proxying to python3 http.server on 18081; nghttpd does not upgrade)
# through the HTTP/1.1 Upgrade: a GET with `Upgrade: h2c` and
# `HTTP2-Settings`, a 101 Switching Protocols, then HTTP/2 on the same
# connection (the response to the upgraded request is stream 1).  Only
# port 18080 is captured.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v nghttpx >/dev/null || die "needs nghttpx (nghttp2-proxy)"
command -v nghttp >/dev/null || die "needs nghttp (nghttp2-client)"

OUT=h2c-upgrade.pcap
ns_new lo
http_server lo 127.0.0.1 18081
bg_run proxy lo nghttpx "-f127.0.0.1,18080;no-tls" -b127.0.0.1,18081 \
	--no-ocsp --workers=1 --log-level=ERROR --conf=/dev/null \
	--errorlog-file=/dev/null --accesslog-file=/dev/null
wait_listen lo tcp 18080
capture_start lo lo "$OUT" tcp port 18080
in_ns lo nghttp -n -u http://127.0.0.1:18080/hello.txt
sleep 0.2
capture_stop

F=$WORK/$OUT
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
