#!/bin/bash
# Captures cut from h2c-nghttp.pcap (h2c-midstream: started mid-connection;
# h2c-gap: a lost segment) lose HPACK context.  netscope may then leave a
# call's method, path or status unknown ("-"), but what it does show must
# be what the whole capture shows for the same stream: never a wrong
# header.  Each cut must also still frame what follows (some calls found)
# and say that context was lost.
set -u
NS=${NETSCOPE:-./netscope}
SRC=${srcdir:-.}
P=$SRC/tests/pcaps
calls() { # FILE -> "sid method path status" per call
	"$NS" read "$1" --calls -q |
		sed -n 's/.* s=\([0-9]*\) *HTTP\/2 \([^ ]*\) \([^ ]*\) \([^ ]*\) .*/\1 \2 \3 \4/p'
}
[ -e "$P/h2c-nghttp.pcap" ] || { echo "SKIP: no h2c captures"; exit 77; }
declare -A full
while read -r sid m p s; do full[$sid]="$m $p $s"; done < <(calls "$P/h2c-nghttp.pcap")
fail=0
for cut in h2c-midstream h2c-gap; do
	n=0 known=0
	while read -r sid m p s; do
		n=$((n + 1))
		read -r fm fp fs <<<"${full[$sid]:-- - -}"
		for pair in "$m:$fm" "$p:$fp" "$s:$fs"; do
			got=${pair%%:*} want=${pair#*:}
			[ "$got" = - ] && continue
			known=$((known + 1))
			if [ "$got" != "$want" ]; then
				echo "FAIL: $cut: stream $sid shows '$got', the whole capture '$want'"
				fail=1
			fi
		done
	done < <(calls "$P/$cut.pcap")
	lost=$("$NS" read "$P/$cut.pcap" | grep -c 'HPACK context lost')
	if [ "$n" -eq 0 ] || [ "$lost" -eq 0 ]; then
		echo "FAIL: $cut: $n calls, $lost lines saying context was lost"
		fail=1
	else
		echo "ok: $cut: $n calls, $known values shown all right, $lost lines say context was lost"
	fi
done
exit $fail
