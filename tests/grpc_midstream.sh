#!/bin/bash
# grpc-midstream.pcap starts mid-connection (make-grpc-midstream.sh): both
# HPACK contexts are unknown.  Checked here:
#  - every header field tshark still decodes, netscope decodes the same
#    (http2.header.name/value per frame, "<unknown>" where neither can);
#  - each call (in stream order, the client's record in call order) is
#    gRPC with the client's message counts (framing kept by guess);
#  - every grpc-status tshark shows is the call's status, every status
#    netscope shows is the client's, and so is every grpc-message.
set -u
NS=${NETSCOPE:-./netscope}
SRC=${srcdir:-.}
P=$SRC/tests/pcaps/grpc-midstream.pcap
T=$SRC/tests/pcaps/grpc-midstream.calls
[ -e "$P" ] || { echo "SKIP: no grpc-midstream.pcap"; exit 77; }
fail=0
hdrs='-T fields -e frame.number -e http2.streamid -e http2.header.name -e http2.header.value'
if command -v tshark >/dev/null; then
	# shellcheck disable=SC2086 # $hdrs is words
	want=$(tshark -r "$P" -d tcp.port==50061,http2 -Y 'http2.type == 1' $hdrs 2>/dev/null)
	# shellcheck disable=SC2086
	got=$("$NS" read "$P" -Y 'http2.type == 1' $hdrs)
	if [ "$want" != "$got" ]; then
		echo "FAIL: header fields differ from tshark's"
		diff <(echo "$want") <(echo "$got")
		fail=1
	else
		echo "ok: $(echo "$got" | wc -l) HEADERS frames decoded as tshark does"
	fi
	tstat=$(echo "$want" | awk -F'\t' '{
		n = split($3, k, ","); split($4, v, ",")
		for (i = 1; i <= n; i++) if (k[i] == "grpc-status") print v[i] }' | wc -l)
else
	echo "note: no tshark, header fields not compared"
	tstat=-
fi
# "<path> <status> <req> <resp> <message>" of the record against netscope's
# "s=N gRPC <method> <path> <grpc-status> ... req R msg ... resp S msg ..."
mapfile -t rec <"$T"
mapfile -t calls < <("$NS" read "$P" --calls -q | grep ' s=[0-9]')
if [ "${#calls[@]}" -ne "${#rec[@]}" ]; then
	echo "FAIL: ${#calls[@]} calls, the client made ${#rec[@]}"
	exit 1
fi
status=0 msgs=0
for i in "${!rec[@]}"; do
	read -r path code nrq nrs msg <<<"${rec[$i]}"
	line=${calls[$i]}
	got=$(echo "$line" | sed -n 's/.* gRPC [A-Z-]* [^ ]* \([A-Z_?-]*\) [0-9-]* .*req \([0-9]*\) msg [0-9]* B resp \([0-9]*\) msg .*/\1 \2 \3/p')
	read -r gs grq grs <<<"$got"
	if [ -z "$got" ]; then
		echo "FAIL: call $i not gRPC: $line"
		fail=1
		continue
	fi
	if [ "$gs" != - ]; then
		status=$((status + 1))
		[ "$gs" = "$code" ] || { echo "FAIL: call $i ($path): status $gs, the client saw $code"; fail=1; }
	fi
	[ "$grq $grs" = "$nrq $nrs" ] && msgs=$((msgs + 1)) ||
		{ echo "FAIL: call $i: $grq/$grs messages, the client $nrq/$nrs"; fail=1; }
	if [[ $line == *'"'* ]]; then
		gm=${line#*END_STREAM \"}
		gm=${gm%\"}
		[ "$gm" = "$msg" ] || { echo "FAIL: call $i: message '$gm', the client '$msg'"; fail=1; }
	fi
	[[ $line == *"HPACK context lost"* ]] || { echo "FAIL: call $i does not say what was lost"; fail=1; }
done
echo "calls: ${#rec[@]} (client's record); grpc-status recovered: $status (tshark shows $tstat); message counts right: $msgs"
if [ "$tstat" != - ] && [ "$status" -lt "$tstat" ]; then
	echo "FAIL: fewer statuses than tshark shows"
	fail=1
fi
exit $fail
