#!/bin/bash
# Live capture on loopback: -c, -w, pcap_stats at exit, the drain on
# SIGINT/SIGTERM (every packet the kernel accepted is written, an existing
# file replaced only then), -a, -Z with rotation (uid, capabilities and
# no_new_privs of the running process), the "any" device (SLL2), the
# capture thread (a burst queued while -V prints is all printed after the
# signal), and tshark reading the written files back packet for packet.  Needs root (skipped otherwise, exit 77) and
# tshark.  Traffic goes to 127.0.0.1 only.
#
# Safe to run beside other tests capturing on lo (make -j check, or another
# checkout's): every capture filters on a UDP port of its own, picked by
# the kernel and held bound by a sink (below) for the whole run, so no
# other process can send from it or to it; and every wait is for an event
# (netscope listening, the sink having received the datagrams), not a
# fixed sleep, so a loaded machine makes the test slower, not wrong.
set -u
NS=${NETSCOPE:-./netscope}
NS=$(cd "$(dirname "$NS")" && pwd)/$(basename "$NS")
ORACLE=$(cd "${srcdir:-.}/tests" && pwd)/oracle.py
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: live capture needs root"
	exit 77
fi
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
PY=$(command -v python3)
TMP=$(mktemp -d)
chmod 755 "$TMP"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
fail=0
n=0
check() {
	local what=$1
	shift
	n=$((n + 1))
	if ! "$@"; then
		echo "FAIL: $what"
		fail=1
		return 1
	fi
}

# start netscope in the background with stderr to $1; waits until it listens
start() {
	local err=$1
	shift
	"$NS" "$@" >"$err.out" 2>"$err" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 100); do
		grep -q 'listening on' "$err" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "netscope did not start:"
	cat "$err"
	return 1
}

# send COUNT UDP datagrams of SIZE bytes to 127.0.0.1:PORT, DELAY s apart
send_udp() {
	"$PY" - "$@" <<'PYEOF'
import socket, sys, time
port, count, size, delay = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(count):
    s.sendto(bytes([i % 256]) * size, ("127.0.0.1", port))
    if delay:
        time.sleep(delay)
PYEOF
}

# the sink: binds N UDP ports on 127.0.0.1, prints them, then counts what
# each receives into $TMP/rx.PORT; it leaves when this shell does
sink() {
	"$PY" - "$1" "$TMP" "$$" <<'PYEOF'
import os, select, socket, sys
n, out, parent = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
socks = {}
for _ in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # room for a burst (root: past rmem_max) so the counts are exact
    s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33),
                 1 << 24)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    socks[s] = s.getsockname()[1]
counts = dict.fromkeys(socks.values(), 0)
print(" ".join(str(p) for p in socks.values()), flush=True)
def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False
while alive(parent):
    ready, _, _ = select.select(list(socks), [], [], 0.5)
    for s in ready:
        try:
            while True:
                s.recv(65536)
                counts[socks[s]] += 1
        except BlockingIOError:
            pass
        port = socks[s]
        with open("%s/rx.%d.tmp" % (out, port), "w") as f:
            f.write("%d\n" % counts[port])
        os.rename("%s/rx.%d.tmp" % (out, port), "%s/rx.%d" % (out, port))
PYEOF
}
sink 10 >"$TMP/ports" &
pids+=($!)
for _ in $(seq 100); do
	[ -s "$TMP/ports" ] && break
	sleep 0.05
done
read -r P1 P2 P3 P4 P5 P6 P7 P8 P9 P10 <"$TMP/ports"
[ -n "${P10:-}" ] || { echo "FAIL: no UDP ports from the sink"; exit 1; }

# waits (up to 10 s) until the sink has received N datagrams on PORT: the
# kernel has then handed every one of them to the capture sockets too
# (loopback taps a packet on its way out, before it is delivered)
wait_rx() {
	local i
	for i in $(seq 200); do
		[ "$(cat "$TMP/rx.$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.05
	done
	echo "only $(cat "$TMP/rx.$1" 2>/dev/null || echo 0) of $2 datagrams reached port $1"
	return 1
}

# waits until netscope, started another way than start(), says it listens
wait_listening() {
	local i
	for i in $(seq 100); do
		grep -q 'listening on' "$1" && return 0
		sleep 0.05
	done
	echo "netscope did not start:"
	cat "$1"
	return 1
}

stat_of() { # stat_of FILE WHAT -> the number before "packets WHAT"
	grep -E "^[0-9]+ packets? $2" "$1" | awk '{print $1}'
}

# 1. -c N -w: exactly N packets, stats printed, tshark agrees field by field
start "$TMP/e1" capture -i lo -c 20 -w "$TMP/c.pcap" -f "udp port $P1"
send_udp "$P1" 30 100 0.01
wait "$pid"
check "-c 20: exit 0" test $? = 0
check "-c 20: 20 captured" test "$(stat_of "$TMP/e1" captured)" = 20
check "-c 20: received by filter printed" test -n "$(stat_of "$TMP/e1" 'received by filter')"
check "-c 20: dropped by kernel is 0" test "$(stat_of "$TMP/e1" 'dropped by kernel')" = 0
check "-c 20: tshark reads 20 packets" test "$(tshark -r "$TMP/c.pcap" 2>/dev/null | wc -l)" = 20
check "-c 20: fields agree with tshark" "$PY" "$ORACLE" --show 3 "$NS" "$TMP/c.pcap" >/dev/null
check "-c 20: nanosecond pcap" test "$(od -An -tx1 -N4 "$TMP/c.pcap" | tr -d ' ')" = 4d3cb2a1

# 2. SIGINT right after a burst: nothing the kernel accepted is lost.  The
# file exists already (then holds the first run's packets): it is written
# under a temporary name and replaced on the clean stop
sent=0
echo old >"$TMP/s.pcap"
for sig in INT TERM; do
	cp "$TMP/s.pcap" "$TMP/s.before"
	start "$TMP/e2" capture -i lo -w "$TMP/s.pcap" "udp port $P2"
	check "SIG$sig: writes beside the existing file" test -n "$(ls -A "$TMP" | grep '^\.s\.pcap\.')"
	send_udp "$P2" 70 60 0
	sent=$((sent + 70))
	# loopback delivers through the softirq backlog: on a loaded machine
	# the last datagrams reach the ring a moment after sendto() returns.
	# Once the sink has them all, so has the ring; the signal then comes
	# far inside the 1 s a buffered capture would lose.
	wait_rx "$P2" "$sent"
	check "SIG$sig: the old file until the stop" cmp -s "$TMP/s.pcap" "$TMP/s.before"
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	check "SIG$sig: exit 0" test "$rc" = 0
	check "SIG$sig: 70 captured" test "$(stat_of "$TMP/e2" captured)" = 70
	check "SIG$sig: 70 written" test "$(tshark -r "$TMP/s.pcap" 2>/dev/null | wc -l)" = 70
	check "SIG$sig: no temporary left" test -z "$(ls -A "$TMP" | grep '^\.s\.pcap\.')"
done

# 3. text output live, and -a duration stops on time
start "$TMP/e3" capture -i lo -a duration:4 "udp port $P3"
send_udp "$P3" 5 10 0.05
t0=$(date +%s)
wait "$pid"
check "-a duration:4: exit within 6 s" test $(($(date +%s) - t0)) -le 6
check "-a duration:4: 5 captured" test "$(stat_of "$TMP/e3" captured)" = 5

start "$TMP/e4" capture -i lo -c 3 "udp port $P4"
send_udp "$P4" 3 10 0.05
wait "$pid"
check "text: 3 lines" test "$(wc -l <"$TMP/e4.out")" = 3
check "text: UDP line" grep -q '127.0.0.1:[0-9]* → 127.0.0.1:'"$P4"' UDP 52 Len=10' "$TMP/e4.out"

# display filter live: only the datagrams -Y keeps are shown and written
start "$TMP/e7" capture -i lo -c 6 -Y 'udp.length > 20' -w "$TMP/y.pcap" -P "udp port $P7"
send_udp "$P7" 3 10 0.05
send_udp "$P7" 3 30 0.05
wait "$pid"
check "-Y live: 6 captured" test "$(stat_of "$TMP/e7" captured)" = 6
check "-Y live: 3 shown" test "$(wc -l <"$TMP/e7.out")" = 3
check "-Y live: 3 written, all long" test "$(tshark -r "$TMP/y.pcap" -Y 'udp.length == 38' 2>/dev/null | wc -l)" = 3

# 4. -Z with rotation: every file written as the unprivileged user
if id nobody >/dev/null 2>&1; then
	mkdir "$TMP/z"
	chown nobody "$TMP/z"
	# a 32 MiB kernel buffer and a paced sender: on a loaded machine
	# (make -j2 check) a burst would be dropped before the rotation
	start "$TMP/e5" capture -i lo -B 32 -Z nobody -C 1 -w "$TMP/z/rot.pcap" "udp port $P5"
	# listening: the privileges are gone, for good (no_new_privs: nothing
	# it could exec regains them)
	nb=$(id -u nobody)
	check "-Z: every uid is nobody's" grep -qP "^Uid:\t$nb\t$nb\t$nb\t$nb$" "/proc/$pid/status"
	check "-Z: no capabilities left" test -z "$(grep -E '^Cap(Prm|Eff|Amb):' "/proc/$pid/status" | grep -v '	0000000000000000$')"
	check "-Z: NoNewPrivs: 1" grep -qP '^NoNewPrivs:\t1$' "/proc/$pid/status"
	send_udp "$P5" 2500 1000 0.0002
	wait_rx "$P5" 2500
	kill -INT "$pid"
	wait "$pid"
	check "-Z: more than one file" test "$(ls "$TMP/z" | wc -l)" -ge 3 ||
		sed 's/^/    /' "$TMP/e5"
	check "-Z: files owned by nobody" test -z "$(find "$TMP/z" -type f ! -user nobody)"
	sum=0
	for f in "$TMP"/z/*; do sum=$((sum + $(tshark -r "$f" 2>/dev/null | wc -l))); done
	check "-Z: every captured packet is in the files" test "$sum" = "$(stat_of "$TMP/e5" captured)"
fi

# 5. the any device gives Linux cooked v2 headers
start "$TMP/e6" capture -i any -c 4 -w "$TMP/any.pcap" "udp port $P6"
send_udp "$P6" 4 10 0.05
wait "$pid"
check "any: SLL2 link type" grep -q 'LINUX_SLL2' "$TMP/e6"
check "any: fields agree with tshark" "$PY" "$ORACLE" --show 3 "$NS" "$TMP/any.pcap" >/dev/null
check "any: interface index shown" test -n "$("$NS" read "$TMP/any.pcap" -T fields -e sll.ifindex | head -1)"

# 6. -w - streams a pcap that another reader can follow
"$NS" capture -i lo -c 5 -w - "udp port $P8" 2>"$TMP/e8" | "$NS" read - >"$TMP/o8" 2>/dev/null &
pid=$!
pids+=("$pid")
wait_listening "$TMP/e8"
send_udp "$P8" 5 10 0.05
wait "$pid"
check "-w - | read -: 5 packets" test "$(wc -l <"$TMP/o8")" = 5

# 7. piped output is not held back until exit: a line reaches the pipe
# within 1 s of its packet (the block timeout, then a flush per block)
"$NS" capture -i lo -c 2 "udp port $P9" 2>"$TMP/e9" | "$PY" -c '
import sys, time
sys.stdin.readline()
print("%.3f" % time.time(), flush=True)
sys.stdin.read()' >"$TMP/o9" &
pid=$!
pids+=("$pid")
wait_listening "$TMP/e9"
# the time the packet is sent, not before the sender's interpreter starts
# (a slow machine's python takes a good part of the second to start)
t0=$("$PY" -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t = time.time()
s.sendto(bytes(10), ("127.0.0.1", int(sys.argv[1])))
print("%.6f" % t)' "$P9")
for _ in $(seq 100); do
	[ -s "$TMP/o9" ] && break
	sleep 0.02
done
check "piped: the line within 1 s of its packet" awk -v t0="$t0" \
	'NR == 1 { d = $1 - t0; print "    after " d " s"; ok = d < 1.0 }
	END { exit !ok }' "$TMP/o9"
send_udp "$P9" 1 10 0
wait "$pid"

# 8. two threads: one moves packets from the kernel into netscope's queue,
# the other dissects.  The reader of -V's output holds back until after
# the signal, so the dissecting thread is stuck on a full pipe for the
# whole burst: the burst waits in the queue, and all of it is printed
# before the exit
mkfifo "$TMP/slow"
{
	exec 3<"$TMP/slow"
	while [ ! -e "$TMP/go" ]; do sleep 0.05; done
	cat <&3 >"$TMP/e10.out"
} &
pids+=($!)
"$NS" capture -i lo -V "udp port $P10" >"$TMP/slow" 2>"$TMP/e10" &
pid=$!
pids+=("$pid")
wait_listening "$TMP/e10"
# the capture thread starts just after the "listening" line
for _ in $(seq 100); do
	[ "$(ls /proc/"$pid"/task | wc -l)" -ge 2 ] && break
	sleep 0.05
done
check "two threads while capturing" test "$(ls /proc/"$pid"/task | wc -l)" = 2
send_udp "$P10" 20000 64 0
wait_rx "$P10" 20000
kill -INT "$pid"
touch "$TMP/go"
wait "$pid"
rc=$?
check "burst: exit 0" test "$rc" = 0
check "burst: 20000 captured" test "$(stat_of "$TMP/e10" captured)" = 20000
check "burst: 20000 printed" test "$(grep -c '^  Frame ' "$TMP/e10.out")" = 20000
check "burst: no drop" test "$(stat_of "$TMP/e10" 'dropped by kernel')" = 0 -a \
	-z "$(stat_of "$TMP/e10" 'dropped by netscope')"

echo "$n checks"
exit $fail
