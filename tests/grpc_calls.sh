#!/bin/bash
# Every gRPC capture's calls as `netscope --calls` reports them against the
# client's own record (tests/pcaps/<name>.calls, written by grpc-peers.py
# or grpc-web-peers.py when the capture was made): method, status, request
# and response message counts, as a multiset.  Over HTTP/2 and, for
# grpc-web-http1, gRPC-Web over HTTP/1.1.
set -u
NS=${NETSCOPE:-./netscope}
SRC=${srcdir:-.}
fail=0
n=0
for calls in "$SRC"/tests/pcaps/grpc-*.calls; do
	[ -e "$calls" ] || continue
	pcap=${calls%.calls}.pcap
	# a capture cut mid-connection has its own test (grpc_midstream.sh):
	# some methods and statuses there are unknowable
	case $calls in *midstream*) continue ;; esac
	want=$(cut -d" " -f1-4 "$calls" | sort) # (grpc-latency.calls adds times)
	got=$("$NS" read "$pcap" --calls -q 2>/dev/null |
		sed -n 's/.* gRPC\(-Web\)\{0,1\} [A-Z]* \(\/[^ ]*\) \([A-Z_]*\) [0-9-]* .* req \([0-9]*\) msg [0-9]* B resp \([0-9]*\) msg .*/\2 \3 \4 \5/p' |
		sort)
	n=$((n + 1))
	if [ "$want" != "$got" ]; then
		echo "FAIL: $(basename "$pcap"): calls differ from the client's record"
		diff <(echo "$want") <(echo "$got")
		fail=1
	else
		echo "ok: $(basename "$pcap"): $(echo "$want" | wc -l) calls agree"
	fi
done
[ $n -gt 0 ] || { echo "SKIP: no gRPC captures"; exit 77; }
exit $fail
