#!/bin/bash
# netscope tui, driven through tmux: a 120x40 terminal runs a shell, the
# shell runs the TUI on test captures, keys are sent with send-keys and the
# screen is read with capture-pane.  Checks: the packet list, the status
# bar, the field tree and hex pane, views 1-4, the call rows (gRPC status
# of a call, its headers and messages on Enter), the connection row (Enter
# shows its packets), the DNS rows, the filter bar (an invalid filter's
# error, a valid one applied to every view), search, pause, w (the written
# pcap read back), help, resize to 80x24, q and SIGTERM (the terminal is
# restored: the shell's prompt is back and stty shows icanon and echo).
# With root, a live run on lo while a gRPC client makes calls
# (tests/pcaps/grpc-peers.py): the Calls view shows them.  Skipped (77)
# without tmux.
set -u
NS=${NETSCOPE:-./netscope}
NS=$(cd "$(dirname "$NS")" && pwd)/$(basename "$NS")
PCAPS=$(cd "${srcdir:-.}/tests/pcaps" && pwd)
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }
TMP=$(mktemp -d)
chmod 755 "$TMP"
SOCK=nstui$$
T="tmux -L $SOCK"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	$T kill-server 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
fail=0
n=0

screen() { $T capture-pane -t s -p; }
# waits up to ~5 s for the screen to match a grep -E pattern
wait_for() {
	local i
	for i in $(seq 50); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
check() { # what pattern: the screen shows it
	n=$((n + 1))
	if ! wait_for "$2"; then
		echo "FAIL: $1 (expected /$2/ on screen)"
		screen | sed 's/^/  | /'
		fail=1
	fi
}
check_not() {
	n=$((n + 1))
	sleep 0.3
	if screen | grep -Eq -- "$2"; then
		echo "FAIL: $1 (did not expect /$2/)"
		screen | sed 's/^/  | /'
		fail=1
	fi
}
keys() { $T send-keys -t s "$@"; sleep 0.2; }
text() { $T send-keys -t s -l "$1"; sleep 0.2; }
# the shell is back and its terminal in canonical mode with echo
check_restored() {
	keys 'stty -a | tr " " "\n" | grep -xE -- "-?(icanon|echo)" | tr "\n" " "; echo END' Enter
	check "$1: terminal restored" '^icanon echo END'
}

$T new-session -d -s s -x 120 -y 40 "env PS1='tui-test\$ ' TERM=xterm-256color bash --norc --noprofile" || {
	echo "SKIP: tmux cannot start a session"
	exit 77
}
sleep 0.3

# ---- a gRPC capture -----------------------------------------------------------
keys "$NS tui -r $PCAPS/grpc-errors.pcap 2>$TMP/err" Enter
check "status bar" 'captured 90  shown 90  dropped: kernel 0 netscope 0 .*end of file'
check "packet list follows to the last packet" '^ +90 +0\.359023 127\.0\.0\.1:54492 → 127\.0\.0\.1:8080 TCP 66 \[ACK\]'
# the columns read prints, the number and the time in aligned columns
check "summary columns as read prints them" "^ +$("$NS" read "$PCAPS/grpc-errors.pcap" -c 89 | tail -1 | cut -c1-60 | sed 's/[].*[]/\\&/g; s/^ *\([0-9]*\) \([0-9.\\]*\) /\1 +\2 /')"
check "the frame number in 7 columns, the time in 15" '^     89        0\.359009 127'
check "detail pane of the selected packet" '^\+ Transmission Control Protocol'
check "hex pane" '^0000  00 00 00 00 00 00 00 00 00 00 00 00 08 00 45 00'

keys 3
check "calls view" '\[3 Calls\]'
check "a gRPC call's status" '^ +0 +1 gRPC POST .*StreamPredict DEADLINE_EXCEEDED +99\.4ms'
check "a cancelled call" '^ +0 +3 gRPC POST .*StreamPredict CANCELLED \(rst\) .* reset CANCEL'
check "an unimplemented method" 'Retrain UNIMPLEMENTED .* ended'
# the latency rounds as --calls rounds it (one way to round, 0.34 ms)
lat=$("$NS" read "$PCAPS/grpc-errors.pcap" -q --calls | grep Retrain | grep -oE '[0-9]+\.[0-9]+ ms' | head -1 | tr -d ' ')
check "latency as --calls gives it ($lat)" "Retrain UNIMPLEMENTED +${lat//./\\.}"
# a server stream's time to its first message, as --calls gives it
# (21 ms, not the 44 ms of the whole call)
check "time to the first message" '^ +0 +3 gRPC POST .*CANCELLED \(rst\) +44\.3ms +21\.0ms +21\.0ms +1/2'
n=$((n + 1))
if ! $T capture-pane -t s -p -e | grep -E 'CANCELLED' | grep -q $'\e\\[1m\|\e\\[31m\|\e\\[1;31m'; then
	echo "FAIL: the failed call is not highlighted"
	fail=1
fi
keys Down Enter
check "call detail: request headers" '^ +grpc-timeout: 5010m'
check "call detail: the decoded message" 'String: "llm"'
check "call detail: title" 'stream 3, reset CANCEL'
keys Escape
check "back to the calls" 'status +latency'

# the Methods view: calls per method, latency as -z grpc,srt gives it
keys 5
check "methods view" '\[5 Methods\]'
p50=$("$NS" read -q -z grpc,srt "$PCAPS/grpc-errors.pcap" | awk '/^inference.InferenceService\/Predict /{print $6}')
check "a method's calls, errors and p50 ($p50 ms)" "^ +20 +0 +0\\.0% +${p50//./\\.}ms .*InferenceService/Predict +OK:20"
check "a failing method, its status mix" '^ +3 +2 +66\.7% .*StreamPredict +OK:1 CANCELLED:1 DEADLINE'
keys s
check "methods sorted by errors" 'sort: errors *$'

keys 2
check "connections view" '^tcp +0 127\.0\.0\.1:54492 +127\.0\.0\.1:8080 +CLOSED +0\.03ms grpc +48/42 '
keys s
check "sort" 'sorted by bytes'
check "the sort key stays on the tabs line" 'sort: bytes *$'
keys Enter
check "Enter on a flow: its packets" 'filter: tcp\.stream == 0'
check "... in the packets view" '\[1 Packets\]'

keys f C-u
text 'grpc.status =='
check "filter bar: invalid as typed" 'column 15: unexpected end of filter'
text ' 4'
check_not "filter bar: valid, no error" 'column 15'
keys Enter
check "filter applied" 'captured 90  shown 1 .*filter: grpc\.status == 4'
check "only the matching packet" '^ +11 +0\.100003 127\.0\.0\.1:8080 → 127\.0\.0\.1:54492 gRPC 179 response s=1 DEADLINE_EXCEEDED'
check_not "no other packet" '^ +12 +0\.100648'
keys 3
check "the filter in the calls view: the call of the matching packet" '^ +0 +1 gRPC POST .*StreamPredict DEADLINE_EXCEEDED'
check_not "... and no other call" 'UNIMPLEMENTED'
keys 1
keys Enter Down Down Down Enter
check "field tree expands" '^- Transmission Control Protocol'
check "... its fields" '^ +Stream index: 0 \[tcp\.stream\]'
keys Down
check "hex: the selected field's bytes" 'Bytes: 179'
n=$((n + 1))
if ! $T capture-pane -t s -p -e | grep -E '^.*0020 ' | grep -q $'\e\\['; then
	echo "FAIL: no highlighted bytes in the hex pane"
	fail=1
fi
keys Escape w
check "w suggests a file name" 'write shown packets to: netscope-shown\.pcap'
text "$TMP/shown.pcap"
check "typing replaces the suggestion" "write shown packets to: $TMP/shown\.pcap"
keys Enter
check "w writes the shown packets" "wrote 1 packets to $TMP/shown.pcap"
n=$((n + 1))
if [ "$("$NS" read "$TMP/shown.pcap" 2>/dev/null | wc -l)" != 1 ]; then
	echo "FAIL: the written file does not hold the one shown packet"
	fail=1
fi

keys f
text 'tcp'
check "f: typing replaces the filter shown" 'filter: tcp *$'
keys C-u Enter
check "filter cleared" 'captured 90  shown 90 '
keys g
keys /
text 'RST_STREAM'
keys Enter
check "search finds a row" 'found "RST_STREAM"'
check "... and selects it" ' Frame 12 '
keys n
check "search again" ' Frame 23 '
keys Space
check "pause" 'PAUSED'
keys Space
check_not "resume" 'PAUSED'
keys '?'
check "help screen" 'Space +pause / resume the display'
keys Escape
check_not "help closed" 'Space +pause / resume'

$T resize-window -t s -x 80 -y 24
check "resize to 80x24: status bar at the bottom" '^ captured 90  shown 90 '
n=$((n + 1))
lines=$(screen | wc -l)
wide=$(screen | awk 'length > 80' | wc -l)
if [ "$lines" -gt 24 ] || [ "$wide" != 0 ]; then
	echo "FAIL: 80x24: $lines lines, $wide wider than 80"
	fail=1
fi
check "80x24: tabs on the first line" '^ netscope \[1 Packets\]'
# at 80 columns the tables keep their counts, rates, latencies and
# messages, and give the path and the addresses less room
keys 3
check "80x24 calls: path cut, latency, ttfb and messages kept" '^ +0 +1 POST …[a-zA-Z/.]+Predict +DEADLINE_EXCEEDED +99\.4ms +99\.4ms +1/0 *$'
check "80x24 calls: the header names them" '^conn stream meth path +status +latency +ttfb +msgs'
keys 2
check "80x24 connections: packets, bytes and rate kept" '^t +0 127\.0\.0\.1:54492 +127\.0\.0\.1:8080 +48/42 +6\.0kB/5\.8kB +[0-9.]+k?B/s'
n=$((n + 1))
if [ "$(screen | awk 'length > 80' | wc -l)" != 0 ]; then
	echo "FAIL: 80x24 tables: lines wider than 80"
	fail=1
fi
$T resize-window -t s -x 160 -y 45
check "160x45 connections: every column" '^tcp +0 127\.0\.0\.1:54492 +127\.0\.0\.1:8080 +CLOSED +0\.03ms grpc +48/42 +6\.0kB/5\.8kB +[0-9.]+k?B/s'
keys 3
check "160x45 calls: the whole path and every column" '^ +0 +1 gRPC POST /inference\.InferenceService/StreamPredict +DEADLINE_EXCEEDED +99\.4ms +99\.4ms +- +1/0 +ended'
keys 1
$T resize-window -t s -x 120 -y 40
check "back to 120x40" '^ +[0-9]+ .*127\.0\.0\.1.{60}'

keys q
check "q quits" 'tui-test\$ ?$'
check_restored "q"
n=$((n + 1))
if ! grep -q '90 packets captured, 0 dropped by the kernel, 0 dropped by netscope' "$TMP/err"; then
	echo "FAIL: exit summary"; cat "$TMP/err"; fail=1
fi

# ---- SSE streams: in the Calls view, their events in the call detail -------------
keys clear Enter
keys "$NS tui -r $PCAPS/sse-http1.pcap" Enter
check "sse file read" 'end of file'
keys 3
check "an SSE stream over HTTP/1.1 in the calls view" '^ +0 +1 SSE +GET +/stream +200 .* ev 11 +ended \[DONE\]'
check "its time to the first event, as --calls" "^ +0 +1 SSE +GET +/stream +200 .* $("$NS" read -q --calls "$PCAPS/sse-http1.pcap" | awk '/\/stream 200/{for (i = 1; i < NF; i++) if ($i == "first") {printf "%.1f", $(i + 1); exit}}' | sed 's/\./\\./')ms ev 11"
check "the long stream's 150 events" '/stream-long +200 .* ev 150 '
keys Enter
check "SSE detail: title" '^SSE over HTTP/1.1 GET /stream +\(tcp.stream 0, exchange 1, ended\)'
check "SSE detail: the event count and [DONE]" '11 events, ended by data: \[DONE\]'
check "SSE detail: an event and its data" '^ +Data: "\{"token": "Hello"\}"'
keys Escape q
keys clear Enter

# ---- QUIC: one row per connection over all its paths, its HTTP/3 calls --------------
keys clear Enter
keys "$NS tui -r $PCAPS/quic-h3-keylog.pcap --tls-keylog $PCAPS/quic-h3-keylog.keys" Enter
check "quic file read" 'end of file'
keys 2
check "QUIC connections: h3, SNI, handshake time in the rtt column" '^udp +0 127\.0\.0\.1:45235 .* 2\.11ms h3 localhost +11/37 '
check "the migrated connection: one row, its two paths' packets, closed" '^udp +3 127\.0\.0\.1:51361 .* CLOSED .* h3 localhost +19/45 '
check_not "no row for the path it moved to" '^udp +4 '
keys 3
check "its HTTP/3 calls" '^ +3 +8 h3 +GET +/nope +404 '
keys q
keys clear Enter

# ---- DNS ---------------------------------------------------------------------------
keys clear Enter
keys "$NS tui -r $PCAPS/dns-udp.pcap" Enter
check "dns file read" 'end of file'
keys 4
check "DNS view: the EDNS rcode" "0x4845 A +api\.example\.test +BADVERS"
check "DNS view: a query and its answer" '0x[0-9a-f]{4} A +api\.example\.test +NOERROR +7\.96ms +A 192\.0\.2\.7, A 192\.0\.2\.8'
keys Tab
check "Tab: the Methods view" '\[5 Methods\]'
keys Tab
check "Tab cycles to Packets" '\[1 Packets\]'

# ---- SIGTERM restores the terminal ----------------------------------------------
pid=$(pgrep -n -f "$NS tui -r $PCAPS/dns-udp.pcap")
kill -TERM "$pid"
check "SIGTERM ends the view" 'tui-test\$ ?$'
check_restored "SIGTERM"

# ---- errors ------------------------------------------------------------------------
keys clear Enter
keys "$NS tui -r $TMP/missing.pcap; echo rc=\$?" Enter
check "missing file: message and status 1" "netscope: cannot open '$TMP/missing.pcap'.*"
check "... status" '^rc=1'
keys "$NS tui -r $PCAPS/dns-udp.pcap -Y 'dns.id ==' ; echo rc=\$?" Enter
check "bad -Y: message, as read -Y gives it" 'netscope: filter: column 10: unexpected end'
check "bad -Y: a usage error (status 2), as read -Y" '^rc=2'
n=$((n + 1))
if "$NS" tui -r "$PCAPS/dns-udp.pcap" </dev/null >/dev/null 2>&1; [ $? != 2 ]; then
	echo "FAIL: tui without a terminal is not a usage error"
	fail=1
fi
n=$((n + 1))
if "$NS" tui -r "$PCAPS/dns-udp.pcap" -w "$TMP/x.pcap" </dev/null >/dev/null 2>&1; [ $? != 2 ]; then
	echo "FAIL: -w is not refused"
	fail=1
fi

# ---- live, on lo, while a gRPC client makes calls ------------------------------
PY=/usr/bin/python3
if [ "$(id -u)" = 0 ] && "$PY" -c 'import grpc, grpc_tools' 2>/dev/null; then
	export STUBS=$TMP/stubs
	mkdir -p "$STUBS"
	"$PY" -m grpc_tools.protoc -I"$PCAPS" --python_out="$STUBS" \
		--grpc_python_out="$STUBS" "$PCAPS/inference.proto"
	# a port the kernel picks: nothing else on lo uses it while the
	# server listens, so the capture sees this test's calls only
	"$PY" "$PCAPS/grpc-peers.py" server 0 >"$TMP/port" 2>/dev/null &
	pids+=($!)
	for i in $(seq 100); do
		[ -s "$TMP/port" ] && break
		sleep 0.1
	done
	port=$(cat "$TMP/port")
	keys clear Enter
	keys "$NS tui -i lo -f 'tcp port $port' 2>$TMP/live.err" Enter
	check "live: capturing" 'captured 0 .* live'
	"$PY" "$PCAPS/grpc-peers.py" client $port "$TMP/live.calls" >/dev/null 2>&1
	keys 3
	ncalls=$(wc -l <"$TMP/live.calls")
	check "live: the calls view shows the calls" 'Predict +NOT_FOUND'
	check "live: a streaming call" 'StreamPredict +OK .* 1/5 +ended'
	n=$((n + 1))
	shown=$(screen | grep -c ' gRPC POST ')
	if [ "$shown" -lt "$ncalls" ]; then
		echo "FAIL: live: $shown calls shown, the client made $ncalls"
		screen | sed 's/^/  | /'
		fail=1
	fi
	check "live: nothing dropped" 'dropped: kernel 0 netscope 0'
	keys q
	check_restored "live"
else
	echo "note: live test skipped (needs root and python3-grpcio)"
fi

# ---- mutual TLS, decrypted with its key log -----------------------------------
$T resize-window -t s -x 220 -y 40
keys clear Enter
keys "$NS tui -r $PCAPS/tls13-grpc-mtls.pcap --tls-keylog $PCAPS/tls13-grpc-mtls.keys" Enter
keys 2
check "mTLS: the connection says it, with the client's SPIFFE ID" '^tcp +0 127\.0\.0\.1:41234 .* mtls spiffe://cluster\.local/ns/ml/sa/inference'
keys 3
check "mTLS: the decrypted gRPC calls" 'Predict +NOT_FOUND'
keys q
$T resize-window -t s -x 120 -y 40

# ---- memory on a million packets (README, "netscope tui": memory) -----------
# A generated 1,000,000-packet capture: its peak RSS loaded, while a
# display filter re-dissects it (a second engine), and once the filter is
# dropped (what the rescan took is given back).  Not under a sanitizer,
# whose shadow memory is not netscope's.
if [ "${NS_SANITIZED:-no}" != yes ]; then
	python3 "${srcdir:-.}/bench/make-capture.py" -n 1000000 -o "$TMP/m.pcap" >/dev/null
	$T resize-window -t s -x 200 -y 40 # room for "filtering…"
	keys clear Enter
	keys "$NS tui -r $TMP/m.pcap" Enter
	pid=
	for i in $(seq 50); do
		pid=$(pgrep -n -f "tui -r $TMP/m.pcap") && break
		sleep 0.1
	done
	mib() { awk -v k="$1" '$1 == k ":" { print int($2 / 1024) }' "/proc/$pid/status"; }
	until_screen() { # pattern, seconds
		for i in $(seq $(($2 * 10))); do
			screen | grep -Eq -- "$1" && return 0
			sleep 0.1
		done
		return 1
	}
	until_screen 'captured 1000000 .*end of file' 300
	sleep 1
	loaded=$(mib VmRSS)
	keys f C-u
	text 'tcp.port == 443'
	keys Enter
	until_screen 'filter applied' 300
	for i in $(seq 3000); do # the rescan is done when "filtering…" goes
		screen | grep -q 'filtering' || break
		sleep 0.1
	done
	sleep 0.5
	filtered_peak=$(mib VmHWM)
	after=$(mib VmRSS)
	keys f C-u Enter
	until_screen 'filter cleared' 30
	cleared=$(mib VmRSS)
	echo "  1M packets: loaded $loaded MiB, peak with a filter $filtered_peak MiB, after it $after MiB, cleared $cleared MiB"
	n=$((n + 1))
	if [ "$loaded" -gt 350 ] || [ "$filtered_peak" -gt 600 ] ||
		[ "$after" -gt $((loaded + 64)) ] || [ "$cleared" -gt $((loaded + 64)) ]; then
		echo "FAIL: memory over the README's bounds (loaded <= 350, filtering <= 600, after <= loaded + 64 MiB)"
		fail=1
	fi
	keys q
	rm -f "$TMP/m.pcap"
fi

echo "$n checks"
[ $fail = 0 ] && echo PASS
exit $fail
