#!/usr/bin/env bash
# bench/run.sh — time netscope against tcpdump and tshark on one capture.
# See bench/README for what is measured and what the columns mean.
#
#   bench/run.sh [-r RUNS] [-t TSHARK_RUNS] [-j] [-p PACKETS] [-b NETSCOPE] [FILE]
#
#   -r RUNS         timed runs per command (default 5); the median is shown
#   -t TSHARK_RUNS  timed runs for tshark, which is slow (default 3; with 1
#                   tshark gets no untimed warm-up run)
#   -j              leave out tshark -T json (the slowest row; no target
#                   of issue 18 uses it)
#   -p PACKETS      size of the generated capture (default 1000000)
#   -b NETSCOPE     the binary to time (default: ./netscope, rebuilt with
#                   make if out of date)
#   FILE            capture to use (default: bench/out/capture-PACKETS.pcap,
#                   generated with bench/make-capture.py when missing)
#
# The result table is also written to bench/out/results-<time>.txt, and
# bench/pcaploop.c (the bare libpcap loop) is built into bench/out/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
runs=5
truns=3
packets=1000000
netscope=
tjson=1
while getopts "r:t:p:b:jh" opt; do
	case $opt in
	r) runs=$OPTARG ;;
	t) truns=$OPTARG ;;
	j) tjson= ;;
	p) packets=$OPTARG ;;
	b) netscope=$OPTARG ;;
	*)
		sed -n '2,19s/^# \{0,1\}//p' "$0" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
file=${1:-$top/bench/out/capture-$packets.pcap}
out=$top/bench/out
mkdir -p "$out"

. "$top/bench/lib.sh"

[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt-get install -y time)"

# ---- the binary ------------------------------------------------------------------
bench_netscope "$netscope"
if nm "$netscope" 2>/dev/null | grep -q '__asan_init\|__sanitizer_cov'; then
	echo "bench/run.sh: WARNING: $netscope is built with sanitizers or" \
		"fuzzing instrumentation: the numbers mean little" >&2
fi

# ---- the limit: a bare libpcap loop (bench/pcaploop.c) ---------------------------
loop=$out/pcaploop
if [ ! -x "$loop" ] || [ "$top/bench/pcaploop.c" -nt "$loop" ]; then
	${CC:-cc} -O2 -o "$loop" "$top/bench/pcaploop.c" -lpcap ||
		die "cannot build $loop (a C compiler and libpcap-dev are needed)"
fi

# ---- the capture -----------------------------------------------------------------
bench_capture "$file" "$packets"
# the same packets as pcapng (what dumpcap and Wireshark write), made with
# editcap when missing or older than the capture
ng=
if command -v editcap >/dev/null; then
	ng=$out/$(basename "${file%.*}").pcapng
	if [ ! -f "$ng" ] || [ "$file" -nt "$ng" ]; then
		echo "bench/run.sh: writing $ng" >&2
		editcap -F pcapng "$file" "$ng" || die "editcap failed on $file"
	fi
	cat "$ng" >/dev/null
fi

# the packet count, and a check that netscope reads the whole file
npk=$("$netscope" read "$file" | wc -l)
if command -v tcpdump >/dev/null; then
	ntd=$(tcpdump -nr "$file" 2>/dev/null | wc -l)
	[ "$npk" -eq "$ntd" ] ||
		echo "bench/run.sh: WARNING: netscope printed $npk lines, tcpdump $ntd" >&2
fi
size=$(stat -L -c %s "$file")

load0=$(cut -d ' ' -f 1-3 /proc/loadavg)

# ---- timing ----------------------------------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

declare -A WALL MINW RSS CPU
order=()
declare -a QN QR QC # the queued commands: name, runs, command line

# bench NAME RUNS CMD... : queue a command for RUNS timed runs, stdout to
# /dev/null.  run_queue then runs them in rounds, one run of each command a
# round, so every command samples the same stretch of the machine's time:
# a shared machine's speed drifts by tens of percent over minutes, and a
# ratio of two commands timed minutes apart measures that drift.
bench() {
	local name=$1 n=$2
	shift 2
	if ! command -v "$1" >/dev/null; then
		echo "bench/run.sh: $1 not installed: skipping '$name'" >&2
		return
	fi
	QN+=("$name")
	QR+=("$n")
	QC+=("$(printf '%q ' "$@")")
}

# one timed run of queued command I, appended to its files in $tmp
timed() {
	local i=$1 t0 t1
	t0=$(date +%s%N)
	eval "/usr/bin/time -f '%M %U %S' -o \"\$tmp/rss\" ${QC[$i]}" \
		>/dev/null 2>"$tmp/err" ||
		die "'${QC[$i]}' failed: $(tail -n 3 "$tmp/err")"
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000)) >>"$tmp/walls.$i"
	tail -n 1 "$tmp/rss" | awk '{print $1}' >>"$tmp/rsss.$i"
	tail -n 1 "$tmp/rss" | awk '{printf "%d\n", ($2 + $3) * 1e6}' >>"$tmp/cpus.$i"
}

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# the queue: one untimed warm-up run of each (tshark with -t 1 goes
# without: the file is in the page cache already, and a run of tshark on a
# big file takes minutes), then the rounds; records each command's median
# wall time, its fastest run and the median peak RSS and CPU time (user +
# system: unlike wall time it hardly moves when other processes compete
# for the CPUs)
run_queue() {
	local i r most=0
	for i in "${!QN[@]}"; do
		: >"$tmp/walls.$i"
		: >"$tmp/rsss.$i"
		: >"$tmp/cpus.$i"
		[ "${QR[$i]}" -gt "$most" ] && most=${QR[$i]}
		case ${QC[$i]} in tshark\ *) [ "${QR[$i]}" -gt 1 ] || continue ;; esac
		echo "bench/run.sh: warm-up: ${QN[$i]}" >&2
		eval "${QC[$i]}" >/dev/null 2>"$tmp/err" ||
			die "'${QC[$i]}' failed: $(tail -n 3 "$tmp/err")"
	done
	for ((r = 0; r < most; r++)); do
		for i in "${!QN[@]}"; do
			[ "$r" -lt "${QR[$i]}" ] || continue
			echo "bench/run.sh: round $((r + 1)) of $most: ${QN[$i]}" >&2
			timed "$i"
		done
	done
	for i in "${!QN[@]}"; do
		local name=${QN[$i]}
		WALL[$name]=$(median "$tmp/walls.$i")
		MINW[$name]=$(sort -n "$tmp/walls.$i" | head -n 1)
		RSS[$name]=$(median "$tmp/rsss.$i")
		CPU[$name]=$(median "$tmp/cpus.$i")
		order+=("$name")
	done
}

bench "netscope read" "$runs" "$netscope" read "$file"
bench "tcpdump -nr" "$runs" tcpdump -nr "$file"
bench "tshark -r" "$truns" tshark -r "$file"
bench "netscope read -w" "$runs" "$netscope" read -w /dev/null "$file"
bench "tcpdump -r -w" "$runs" tcpdump -r "$file" -w /dev/null
if [ -n "$ng" ]; then
	bench "netscope read (pcapng)" "$runs" "$netscope" read "$ng"
	bench "tcpdump -nr (pcapng)" "$runs" tcpdump -nr "$ng"
fi
# display filter: every packet dissected and tested, few shown
bench "netscope -Y syn" "$runs" "$netscope" read -Y 'tcp.flags.syn == 1' "$file"
bench "tshark -Y syn" "$truns" tshark -r "$file" -Y 'tcp.flags.syn == 1'
# machine-readable output: NDJSON against tshark's newline-delimited JSON
# (-T ek, Elasticsearch's bulk format) and its JSON array
bench "netscope read -T ndjson" "$runs" "$netscope" read -T ndjson "$file"
bench "tshark -T ek" "$truns" tshark -r "$file" -T ek
[ -z "$tjson" ] || bench "tshark -T json" "$truns" tshark -r "$file" -T json
# the limit, and what reading costs with nothing printed per packet: every
# packet dissected, connections and statistics tables printed at the end
bench "bare libpcap loop" "$runs" "$loop" "$file"
bench "netscope read -q" "$runs" "$netscope" read -q "$file"
bench "netscope --conversations -q" "$runs" "$netscope" read --conversations -q "$file"
bench "netscope -q -z io,stat,1" "$runs" "$netscope" read -q -z io,stat,1 "$file"
bench "netscope -q -z endpoints,ip" "$runs" "$netscope" read -q -z endpoints,ip "$file"
bench "netscope -q -z expert" "$runs" "$netscope" read -q -z expert "$file"
bench "netscope -q -z (per call)" "$runs" "$netscope" read -q -z grpc,srt -z http,srt \
	-z dns,srt -z conn,timing -z sse,stat "$file"
bench "tshark -q -z conv,tcp" "$truns" tshark -q -r "$file" -z conv,tcp
run_queue

# ---- report ----------------------------------------------------------------------
ratio() { # ratio A B: A's time and RSS over B's
	local a=$1 b=$2
	[ -n "${WALL[$a]:-}" ] && [ -n "${WALL[$b]:-}" ] || return 0
	awk -v a="$a" -v b="$b" -v wa="${WALL[$a]}" -v wb="${WALL[$b]}" \
		-v ra="${RSS[$a]}" -v rb="${RSS[$b]}" \
		-v ca="${CPU[$a]}" -v cb="${CPU[$b]}" 'BEGIN {
		t = wa / wb
		if (t < 1)
			v = sprintf("netscope %.2fx faster", 1 / t)
		else
			v = sprintf("netscope %.2fx slower", t)
		printf "  %-50s time %6.3fx (%s)  CPU %6.3fx  peak RSS %6.3fx\n",
			a " / " b, t, v, (cb ? ca / cb : 0), ra / rb
	}'
}

# one line a target: the ratio, the target and whether it is met
verdict() { # verdict TEXT RATIO OP LIMIT (RATIO "-": a time too short to divide by)
	awk -v t="$1" -v r="$2" -v op="$3" -v l="$4" 'BEGIN {
		if (r == "-") {
			printf "  %-58s %7s  target %s %-4s n/a (a CPU time under 0.01 s)\n",
				t, "-", op, l
			exit
		}
		ok = (op == ">=") ? r >= l : r <= l
		printf "  %-58s %7.2f  target %s %-4s %s\n", t, r, op, l,
			ok ? "met" : "NOT MET"
	}'
}
target_min() { # target_min NETSCOPE OTHER MIN: OTHER's CPU / NETSCOPE's >= MIN
	[ -n "${CPU[$1]:-}" ] && [ -n "${CPU[$2]:-}" ] || return 0
	verdict "$2 CPU / $1 CPU" "$(awk -v a="${CPU[$2]}" -v b="${CPU[$1]}" \
		'BEGIN { print (b ? a / b : "-") }')" ">=" "$3"
}
target_max() { # target_max NETSCOPE BASE MAX: NETSCOPE's CPU / BASE's <= MAX
	[ -n "${CPU[$1]:-}" ] && [ -n "${CPU[$2]:-}" ] || return 0
	verdict "$1 CPU / $2 CPU" "$(awk -v a="${CPU[$1]}" -v b="${CPU[$2]}" \
		'BEGIN { print (b ? a / b : "-") }')" "<=" "$3"
}
target_rss() { # target_rss NAME MIB: its peak RSS in MiB <= MIB
	[ -n "${RSS[$1]:-}" ] || return 0
	verdict "$1 peak RSS (MiB)" "$(awk -v r="${RSS[$1]}" 'BEGIN { print r / 1024 }')" \
		"<=" "$2"
}

{
	echo "capture: $file"
	awk -v p="$npk" -v s="$size" -v d="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		-v c="$(nproc) CPU(s), $(uname -r)" \
		'BEGIN { printf "         %d packets, %.1f MB, %s on %s\n", p, s / 1e6, d, c }'
	echo "load average at the start: $load0; at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
	echo "netscope: $netscope"
	echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)" \
		"  tshark: $(tshark --version 2>/dev/null | head -n 1 | sed 's/^TShark (Wireshark) //')"
	echo
	printf "%-27s %9s %9s %8s %12s %9s %10s\n" "command" "median s" "best s" \
		"CPU s" "packets/s" "MB/s" "peak RSS"
	printf "%-27s %9s %9s %8s %12s %9s %10s\n" "---------------------------" "---------" \
		"---------" "--------" "------------" "---------" "----------"
	for name in "${order[@]}"; do
		awk -v n="$name" -v w="${WALL[$name]}" -v m="${MINW[$name]}" \
			-v r="${RSS[$name]}" -v c="${CPU[$name]}" -v p="$npk" \
			-v s="$size" 'BEGIN {
			printf "%-27s %9.3f %9.3f %8.2f %12.0f %9.1f %7.1f MiB\n", n,
				w / 1e6, m / 1e6, c / 1e6, p / (w / 1e6),
				s / 1e6 / (w / 1e6), r / 1024
		}'
	done
	echo
	echo "ratios (netscope over the other tool; below 1 means netscope is faster / smaller):"
	ratio "netscope read" "tcpdump -nr"
	ratio "netscope read" "tshark -r"
	ratio "netscope read -w" "tcpdump -r -w"
	ratio "netscope read (pcapng)" "tcpdump -nr (pcapng)"
	ratio "netscope -Y syn" "tshark -Y syn"
	ratio "netscope read -T ndjson" "tshark -T ek"
	ratio "netscope read -T ndjson" "tshark -T json"
	ratio "netscope --conversations -q" "tshark -q -z conv,tcp"
	echo
	echo "issue 18's targets (CPU s, user + system; peak RSS):"
	# the other tool over netscope: at least MIN times netscope's CPU
	target_min "netscope read" "tcpdump -nr" 6
	target_min "netscope read" "tshark -r" 25
	target_min "netscope read -T ndjson" "tshark -T ek" 100
	# netscope over a baseline: at most MAX times its CPU
	target_max "netscope --conversations -q" "bare libpcap loop" 3
	target_max "netscope -q -z io,stat,1" "bare libpcap loop" 3
	target_max "netscope -q -z endpoints,ip" "bare libpcap loop" 3
	target_max "netscope -q -z expert" "bare libpcap loop" 3
	target_max "netscope -q -z (per call)" "bare libpcap loop" 3
	target_max "netscope read -T ndjson" "netscope read" 2
	target_rss "netscope read" 48
	target_rss "netscope --conversations -q" 48
	target_rss "netscope read -T ndjson" 48
	[ "$npk" -eq 2000000 ] ||
		echo "  (the peak RSS target is for the 2,000,000-packet capture; this one has $npk)"
} | tee "$out/results-$(date +%Y%m%d-%H%M%S).txt"
