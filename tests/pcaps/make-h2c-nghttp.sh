#!/bin/bash
# h2c-nghttp.pcap: nghttp (prior knowledge, no TLS) fetches four URLs in
# parallel streams on one connection from nghttpd on the non-standard port
# 18443 of 127.0.0.1, in a private namespace: a small page (the server
# pushes /style.css with it: PUSH_PROMISE), an 80 000-byte file (many DATA
# frames, WINDOW_UPDATEs), a 404, and the page again.  The client pads its
# frames (-b 8: PADDED flags), sends its header blocks in HEADERS +
# CONTINUATION (--continuation), asks for a 8192-byte HPACK table (-c) and
# ends with GOAWAY.  h2c-midstream.pcap (make-h2c-midstream.sh) is cut
# from it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v nghttpd >/dev/null || die "needs nghttpd (nghttp2-server)"
command -v nghttp >/dev/null || die "needs nghttp (nghttp2-client)"

OUT=h2c-nghttp.pcap
root=$WORK/htdocs
mkdir -p "$root"
printf '<html><link rel="stylesheet" href="/style.css">hello</html>\n' >"$root/index.html"
printf 'body { color: #333 }\n' >"$root/style.css"
"$PY" -c 'import sys; sys.stdout.write("".join(
	"line %05d of the large file for netscope h2c tests\n" % i
	for i in range(2000))[:80000])' >"$root/large.txt"
ns_new lo
bg_run server lo nghttpd --no-tls -d "$root" -p /index.html=/style.css 18443
wait_listen lo tcp 18443
capture_start lo lo "$OUT" tcp port 18443
in_ns lo nghttp -n -b 8 --continuation -c 8192 \
	http://127.0.0.1:18443/index.html http://127.0.0.1:18443/large.txt \
	http://127.0.0.1:18443/missing http://127.0.0.1:18443/index.html?again
sleep 0.2
capture_stop

F=$WORK/$OUT
expect_count "$F" 1 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
