#!/usr/bin/env bash
# bench/live.sh — live capture at fixed replay rates: what netscope loses
# against tcpdump -w and dumpcap -w at the same rate (issue 18 point 3).
# See bench/README.  Needs root (network namespaces), tcpreplay, tcpdump,
# dumpcap and capinfos.
#
#   bench/live.sh [-r RUNS] [-R RATES] [-p PACKETS] [-B MIB] [-b NETSCOPE] [FILE]
#
#   -r RUNS      runs per tool and rate (default 3); the median is shown
#   -R RATES     replay rates in Mbit/s, 'top' for tcpreplay --topspeed
#                (default "100 300 600 1000 top")
#   -p PACKETS   size of the capture (default 300000)
#   -B MIB       kernel buffer for every tool (default: each tool's own)
#   -b NETSCOPE  the binary (default: ./netscope, rebuilt with make if out
#                of date)
#   FILE         an Ethernet capture to replay (default:
#                bench/out/capture-PACKETS.pcap, made with make-capture.py
#                when missing)
#
# Two network namespaces of its own joined by a veth pair: tcpreplay sends
# into one end, the capture tool listens on the other; nothing leaves the
# namespaces (no addresses, IPv6 off, forwarding off).  Each run's rows are
# in bench/out/live-<time>.raw, the table in bench/out/live-<time>.txt.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
runs=3
rates="100 300 600 1000 top"
packets=300000
buf=
netscope=
while getopts "r:R:p:B:b:h" opt; do
	case $opt in
	r) runs=$OPTARG ;;
	R) rates=$OPTARG ;;
	p) packets=$OPTARG ;;
	B) buf=$OPTARG ;;
	b) netscope=$OPTARG ;;
	*)
		sed -n '2,23s/^# \{0,1\}//p' "$0" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
file=${1:-$top/bench/out/capture-$packets.pcap}
out=$top/bench/out
mkdir -p "$out"

. "$top/bench/lib.sh"

[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for t in ip tcpreplay tcpdump dumpcap capinfos; do
	command -v "$t" >/dev/null || die "$t missing (Debian: tcpreplay tcpdump wireshark-common iproute2)"
done
bench_netscope "$netscope"
bench_capture "$file" "$packets"

# ---- the namespaces --------------------------------------------------------------
tx=nsbench-tx-$$
rx=nsbench-rx-$$
itx=vbtx$$
irx=vbrx$$
tmp=$(mktemp -d /dev/shm/nsbench.XXXXXX 2>/dev/null || mktemp -d)
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	ip netns del "$tx" 2>/dev/null || true
	ip netns del "$rx" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for n in "$tx" "$rx"; do
	ip netns add "$n"
	# no IPv6 (no router solicitations, MLD or DAD on the link), no
	# forwarding: the only frames on the veth are the replayed ones
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=0
done
ip link add "$itx" netns "$tx" mtu 9000 type veth peer name "$irx" netns "$rx" mtu 9000
ip -n "$tx" link set "$itx" up
ip -n "$rx" link set "$irx" up

# ---- one capture at one rate -----------------------------------------------------

# CPU ticks the process has used (utime + stime)
ticks() {
	awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo gone
}

# start the tool in the receiving namespace, wait until it listens; on
# this busy machine a start now and then hangs before the tool prints
# anything (twice in 180 starts): such a start is killed and tried again
start() { # start READY_PATTERN CMD...
	local ready=$1 try
	shift
	for try in 1 2 3; do
		: >"$tmp/err"
		ip netns exec "$rx" "$@" >/dev/null 2>>"$tmp/err" &
		pid=$!
		for _ in $(seq 300); do
			grep -qs "$ready" "$tmp/err" && break
			kill -0 "$pid" 2>/dev/null || die "'$*' did not start: $(cat "$tmp/err")"
			sleep 0.05
		done
		if grep -qs "$ready" "$tmp/err"; then
			sleep 0.5 # the socket is bound before the line; a margin anyway
			return 0
		fi
		echo "bench/live.sh: '$*' did not say '$ready' in 15 s (try $try;" \
			"state $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)," \
			"wchan $(cat "/proc/$pid/wchan" 2>/dev/null)): killed" >&2
		kill -KILL "$pid" 2>/dev/null || true # no wait: it may be in D state
		pid=
	done
	die "'$*' did not start in 3 tries: $(cat "$tmp/err")"
}

# wait until the tool has read what the kernel holds (its CPU time stops
# growing for a second; at most two minutes), then stop it with SIGINT and
# wait for its counts
stop() {
	local t0 t1 still=0 n=0
	t0=$(ticks "$pid")
	while [ "$still" -lt 5 ] && [ "$n" -lt 600 ]; do
		n=$((n + 1))
		sleep 0.2
		t1=$(ticks "$pid")
		if [ "$t1" = "$t0" ]; then
			still=$((still + 1))
		else
			still=0
		fi
		t0=$t1
	done
	kill -INT "$pid"
	wait "$pid" || true
	pid=
}

# the packets in a saved file
count_file() {
	capinfos -c -M -T -r "$1" 2>/dev/null | awk -F '\t' '{print $2}'
}

# one cell: TOOL RATE RUN; appends "tool rate run sent saved kdrop other mbps"
cell() {
	local tool=$1 rate=$2 run=$3 ropt saved kdrop other
	if [ "$rate" = top ]; then
		ropt=(--topspeed)
	else
		ropt=(--mbps "$rate")
	fi
	rm -f "$tmp/cap"
	case $tool in
	netscope)
		start 'listening on' "$netscope" capture -i "$irx" ${buf:+-B "$buf"}
		;;
	netscope-w)
		start 'listening on' "$netscope" capture -i "$irx" ${buf:+-B "$buf"} -w /dev/null
		;;
	tcpdump-w)
		start 'listening on' tcpdump -i "$irx" ${buf:+-B $((buf * 1024))} -w "$tmp/cap"
		;;
	dumpcap-w)
		start 'Capturing on' dumpcap -i "$irx" ${buf:+-B "$buf"} -P -w "$tmp/cap"
		;;
	esac
	ip netns exec "$tx" tcpreplay -i "$itx" "${ropt[@]}" "$file" >"$tmp/replay" 2>&1 ||
		die "tcpreplay failed: $(tail -n 5 "$tmp/replay")"
	stop
	local sent mbps failed
	sent=$(awk '/Actual:/ {print $2; exit}' "$tmp/replay")
	mbps=$(awk '/Rated:/ {for (i = 1; i < NF; i++) if ($(i + 1) ~ /^Mbps/) print $i; exit}' "$tmp/replay")
	failed=$(awk '/Failed packets:/ {print $3; exit}' "$tmp/replay")
	[ "${failed:-0}" = 0 ] || echo "bench/live.sh: tcpreplay could not send $failed packets" >&2
	case $tool in
	netscope*)
		saved=$(awk '/packets? captured$/ {print $1; exit}' "$tmp/err")
		;;
	tcpdump-w | dumpcap-w)
		saved=$(count_file "$tmp/cap")
		;;
	esac
	case $tool in
	dumpcap-w) # Packets received/dropped on interface 'X': R/D (pcap:K/dumpcap:N/flushed:F/ps_ifdrop:I)
		kdrop=$(sed -n 's/.*(pcap:\([0-9]*\)\/.*/\1/p' "$tmp/err" | head -n 1)
		other=$(sed -n 's/.*\/dumpcap:\([0-9]*\)\/flushed:\([0-9]*\)\/ps_ifdrop:\([0-9]*\)).*/\1 \2 \3/p' \
			"$tmp/err" | awk '{print $1 + $2 + $3; exit}')
		;;
	*)
		kdrop=$(awk '/packets? dropped by kernel$/ {print $1; exit}' "$tmp/err")
		other=$(awk '/packets? dropped by / && !/kernel$/ {s += $1} END {print s + 0}' "$tmp/err")
		;;
	esac
	echo "$tool $rate $run ${sent:-?} ${saved:-?} ${kdrop:-?} ${other:-0} ${mbps:-?}" | tee -a "$raw" >&2
	rm -f "$tmp/cap"
}

# ---- the runs --------------------------------------------------------------------
stamp=$(date +%Y%m%d-%H%M%S)
raw=$out/live-$stamp.raw
: >"$raw"
tools="netscope netscope-w tcpdump-w dumpcap-w"
load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
# nothing else on the link: a second with a capture running and no replay
start 'listening on' tcpdump -i "$irx" -w "$tmp/cap"
sleep 1
stop
quiet=$(count_file "$tmp/cap")
[ "$quiet" = 0 ] || echo "bench/live.sh: WARNING: $quiet frames on an idle link" >&2
for ((r = 1; r <= runs; r++)); do
	for rate in $rates; do
		for tool in $tools; do
			cell "$tool" "$rate" "$r"
		done
	done
done

# ---- report ----------------------------------------------------------------------
{
	echo "capture: $file"
	awk -v p="$(count_file "$file")" -v s="$(stat -L -c %s "$file")" \
		-v d="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v c="$(nproc) CPU(s), $(uname -r)" \
		'BEGIN { printf "         %d packets, %.1f MB, %s on %s\n", p, s / 1e6, d, c }'
	echo "load average at the start: $load0; at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
	bdesc="each tool's default"
	[ -z "$buf" ] || bdesc="$buf MiB for every tool"
	echo "netscope: $netscope; kernel buffer: $bdesc"
	echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)  dumpcap: $(dumpcap --version | head -n 1 |
		sed 's/^Dumpcap (Wireshark) //')  $(tcpreplay --version 2>&1 | head -n 1)"
	echo
	echo "median of $runs runs (the run with the median loss); loss = (sent - saved) / sent"
	echo
	printf "%-6s %-11s %9s %9s %9s %9s %8s %9s %s\n" "rate" "tool" "sent" "saved" \
		"kernel" "other" "loss %" "sent Mb/s" " loss % of each run"
	printf "%-6s %-11s %9s %9s %9s %9s %8s %9s %s\n" "------" "-----------" "---------" \
		"---------" "---------" "---------" "--------" "---------" " -------------------"
	for rate in $rates; do
		for tool in $tools; do
			awk -v t="$tool" -v r="$rate" '$1 == t && $2 == r {
				n++; loss = ($4 > 0) ? 100 * ($4 - $5) / $4 : 0
				row[n] = $0; l[n] = loss
			} END {
				if (!n)
					exit
				# order the runs by loss, take the middle one
				for (i = 1; i <= n; i++)
					o[i] = i
				for (i = 1; i <= n; i++)
					for (j = i + 1; j <= n; j++)
						if (l[o[j]] < l[o[i]]) { x = o[i]; o[i] = o[j]; o[j] = x }
				m = o[int((n + 1) / 2)]
				split(row[m], f, " ")
				all = ""
				for (i = 1; i <= n; i++)
					all = all sprintf(" %.2f", l[i])
				printf "%-6s %-11s %9s %9s %9s %9s %8.2f %9s %s\n", r, t, f[4], f[5],
					f[6], f[7], l[m], f[8], all
			}' "$raw"
		done
	done
	echo
	echo "sent: tcpreplay's packets sent; saved: packets in tcpdump's and dumpcap's"
	echo "files, netscope's 'packets captured'; kernel, other: the drops the tool"
	echo "reports (dumpcap: pcap, and dumpcap + flushed + ps_ifdrop)"
} | tee "$out/live-$stamp.txt"
