#!/bin/bash
# Soak test of `netscope tui`: replays UDP traffic on loopback for a while
# (new source ports all the time, so flows come and go) with the TUI
# capturing it in a tmux terminal, then checks that the peak RSS stayed
# under the bound (README, "netscope tui": memory) and that netscope
# dropped nothing at that rate.  Needs root and tmux.  Loopback only.
#     bench/tui-soak.sh [-b NETSCOPE] [SECONDS [PACKETS_PER_SECOND]]
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
NS=${NETSCOPE:-$here/netscope}
if [ "${1:-}" = -b ]; then
	NS=$2
	shift 2
fi
SECS=${1:-180}
RATE=${2:-20000}
BOUND_MB=${BOUND_MB:-300}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v tmux >/dev/null || { echo "SKIP: needs tmux"; exit 77; }
T="tmux -L nssoak$$"
cleanup() { $T kill-server 2>/dev/null; }
trap cleanup EXIT
port=$((30000 + $$ % 20000))
$T new-session -d -s s -x 120 -y 40 "$NS tui -i lo -f 'udp dst port $port'"
sleep 1
pid=$(pgrep -n -f "tui -i lo -f udp dst port $port")
/usr/bin/python3 - "$port" "$SECS" "$RATE" <<'PY'
import socket, sys, time
port, secs, rate = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(64)]
payload = b"x" * 200
t0 = time.monotonic()
sent = 0
while True:
    now = time.monotonic() - t0
    if now >= secs:
        break
    due = int(now * rate)
    while sent < due:
        s = socks[sent % 64]
        s.sendto(payload, ("127.0.0.1", port))
        sent += 1
        if sent % 50000 == 0:  # new source ports: flows come and go
            socks[sent // 50000 % 64].close()
            socks[sent // 50000 % 64] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    time.sleep(0.001)
print("sent", sent)
PY
sleep 2
status=$($T capture-pane -t s -p | grep ' captured ')
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
$T send-keys -t s q
echo "status: $status"
echo "peak RSS: $((hwm / 1024)) MB (bound $BOUND_MB MB), $SECS s at $RATE packets/s"
fail=0
[ $((hwm / 1024)) -lt "$BOUND_MB" ] || { echo "FAIL: peak RSS over the bound"; fail=1; }
echo "$status" | grep -q 'netscope 0 ' || { echo "FAIL: netscope dropped packets"; fail=1; }
[ $fail = 0 ] && echo PASS
exit $fail
