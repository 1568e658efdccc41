# lib.sh — shared helpers for the make-*.sh capture scripts.
#
# Every capture is real traffic made by real programs (curl, python3
# http.server, ping, socat, the kernel's own ARP/ND/MLD/IGMP) and recorded
# by tcpdump or dumpcap.  Nothing is captured on the host's own interfaces:
# each script creates private network namespaces (a namespace's own lo, or
# veth pairs between two namespaces), so the files contain only the traffic
# the script made, and nothing ever leaves the machine.
#
# Source this file from a make-*.sh script (which must itself start with
# `set -euo pipefail`).  It provides:
#
#   ns_new TAG             create namespace "$NS_PREFIX-TAG" (lo up, quiet
#                          IPv6 defaults), removed again on exit
#   in_ns TAG CMD...       run CMD inside that namespace
#   veth_pair A IFA MACA B IFB MACB   veth between namespaces A and B
#   bg_run NAME TAG CMD... start CMD in namespace TAG in the background,
#                          killed on exit
#   wait_listen TAG tcp|udp PORT      wait until something listens there
#   capture_start TAG IFACE NAME [tcpdump args...]   tcpdump -w $WORK/NAME,
#                          returns once tcpdump said "listening on"
#   dumpcap_start TAG IFACE NAME [dumpcap args...]   the same with dumpcap
#   capture_stop           SIGINT the last started capture and wait for it
#   install_capture NAME   check $WORK/NAME against NAME.truth and move it
#                          next to the scripts
#   expect_count FILE N [FILTER...]   fail unless FILTER matches N packets
#   http_root              a document root with fixed files, see below
#   two_hosts, hosts_up    namespaces a and b joined by a veth, see below
#   vlan_tc TAG DEV TPID:VID...   VLAN tagging with tc + eBPF, see below
#
# Everything the script started (processes, namespaces, the bpffs mount,
# the temporary directory) is torn down by an EXIT trap, also on failure.

PCAPDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C TZ=UTC

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

[[ $EUID -eq 0 ]] || die "must run as root (namespaces and captures)"
for _t in ip tcpdump "$PY"; do
	command -v "$_t" >/dev/null || die "missing tool: $_t"
done

# Namespace names are unique per run so two scripts may run at once.
NS_PREFIX="nspcap$$"
WORK=$(mktemp -d /tmp/netscope-pcaps.XXXXXX)
chmod 755 "$WORK"
_BG_PIDS=()
_NAMESPACES=()
_MOUNTS=()
CAP_PID=
CAP_ERR=

_cleanup() {
	local rc=$? i
	trap - EXIT INT TERM
	set +e
	for ((i = ${#_BG_PIDS[@]} - 1; i >= 0; i--)); do
		kill "${_BG_PIDS[i]}" 2>/dev/null
	done
	for ((i = ${#_BG_PIDS[@]} - 1; i >= 0; i--)); do
		wait "${_BG_PIDS[i]}" 2>/dev/null
	done
	for ((i = ${#_NAMESPACES[@]} - 1; i >= 0; i--)); do
		ip netns del "${_NAMESPACES[i]}" 2>/dev/null
	done
	for ((i = ${#_MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${_MOUNTS[i]}" 2>/dev/null
	done
	rm -rf "$WORK"
	exit "$rc"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ns_name() { echo "$NS_PREFIX-$1"; }

in_ns() {
	local tag=$1
	shift
	ip netns exec "$(ns_name "$tag")" "$@"
}

# A fresh namespace: lo up (127.0.0.1 and ::1), and IPv6 defaults that keep
# the captures small and quick: no duplicate address detection, no router
# solicitations, and MLD/IGMP unsolicited reports sent 10 ms apart instead of
# 1 s so they are over before a capture starts (or quickly, when they are
# what the capture is about).  Set on "default" before any other interface
# exists, so veths and tuns created later inherit them.
ns_new() {
	local ns
	ns=$(ns_name "$1")
	ip netns add "$ns"
	_NAMESPACES+=("$ns")
	ip netns exec "$ns" sysctl -q -w \
		net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.router_solicitations=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.all.mldv2_unsolicited_report_interval=10 \
		net.ipv6.conf.default.mldv2_unsolicited_report_interval=10 \
		net.ipv4.conf.all.igmpv3_unsolicited_report_interval=10 \
		net.ipv4.conf.default.igmpv3_unsolicited_report_interval=10 \
		>/dev/null
	ip -n "$ns" link set lo up
	# ::1 appears on lo asynchronously after it comes up.
	local i
	for ((i = 0; i < 100; i++)); do
		ip -n "$ns" -6 addr show dev lo | grep -q '::1/128' && return 0
		sleep 0.05
	done
	die "::1 never appeared on lo in $ns"
}

# veth_pair A IFA MACA B IFB MACB — fixed MACs keep the bytes reproducible
# (and the EUI-64 link-local addresses derived from them).
veth_pair() {
	ip link add "$2" address "$3" netns "$(ns_name "$1")" type veth \
		peer name "$5" address "$6" netns "$(ns_name "$4")"
}

# bg_run NAME TAG CMD... — CMD runs in namespace TAG; started with `ip netns
# exec` directly (which execs CMD), not through a shell function, so that
# BG_PID is CMD's own pid and signals reach it.
bg_run() {
	local name=$1 ns
	ns=$(ns_name "$2")
	shift 2
	ip netns exec "$ns" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	BG_PID=$!
	_BG_PIDS+=("$BG_PID")
}

# wait_listen TAG tcp|udp PORT
wait_listen() {
	local flag i
	case $2 in tcp) flag=-Hltn ;; udp) flag=-Hlun ;; *) die "wait_listen: $2" ;; esac
	for ((i = 0; i < 200; i++)); do
		if in_ns "$1" ss "$flag" "sport = :$3" | grep -q .; then
			return 0
		fi
		sleep 0.05
	done
	die "nothing listening on $2 port $3 in $(ns_name "$1")"
}

# Wait until FILE contains TEXT (a capture tool's start-up message).
_wait_text() {
	local file=$1 text=$2 pid=$3 i
	for ((i = 0; i < 200; i++)); do
		grep -q "$text" "$file" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$file" >&2; die "capture died"; }
		sleep 0.05
	done
	cat "$file" >&2
	die "capture did not start"
}

# capture_start TAG IFACE NAME [tcpdump args...]
# --immediate-mode: without it packets can wait up to a second in the
# kernel's ring buffer, and tcpdump drops what is still there on SIGINT.
capture_start() {
	local tag=$1 iface=$2 name=$3
	shift 3
	CAP_ERR="$WORK/$name.tcpdump.err"
	ip netns exec "$(ns_name "$tag")" tcpdump -i "$iface" -n --immediate-mode -U \
		-w "$WORK/$name" "$@" 2>"$CAP_ERR" &
	CAP_PID=$!
	_BG_PIDS+=("$CAP_PID")
	_wait_text "$CAP_ERR" "listening on" "$CAP_PID"
}

# dumpcap_start TAG IFACE NAME [dumpcap args...]  (pcapng)
dumpcap_start() {
	local tag=$1 iface=$2 name=$3
	shift 3
	CAP_ERR="$WORK/$name.dumpcap.err"
	ip netns exec "$(ns_name "$tag")" dumpcap -i "$iface" -w "$WORK/$name" "$@" 2>"$CAP_ERR" &
	CAP_PID=$!
	_BG_PIDS+=("$CAP_PID")
	_wait_text "$CAP_ERR" "Capturing on" "$CAP_PID"
}

# Give the last packets a moment to reach the capture, then stop it the way
# a user would (SIGINT) so it flushes and closes the file properly.
capture_stop() {
	local pid=${1:-$CAP_PID} err=${2:-$CAP_ERR}
	sleep 0.5
	kill -INT "$pid"
	wait "$pid" || die "capture exited with status $? ($(cat "$err"))"
	if grep -Eq '^[1-9][0-9]* packets dropped by kernel' "$err"; then
		die "capture dropped packets: $(cat "$err")"
	fi
}

# install_capture NAME — compare $WORK/NAME with the "frames:" table of
# NAME-without-extension.truth (decoded by tshark, see truth-frames.py), then
# put it next to the scripts.  A capture that no longer matches its ground
# truth is not installed; the script fails instead.
install_capture() {
	local truth="$PCAPDIR/${1%.*}.truth"
	if [[ -f $truth ]] && command -v tshark >/dev/null; then
		"$PY" "$PCAPDIR/truth-frames.py" "$WORK/$1" "$truth" ||
			die "$1 does not match $(basename "$truth") (kept nothing)"
	else
		echo "$(basename "$0"): note: $1 not checked against a .truth file" >&2
	fi
	install -m 644 "$WORK/$1" "$PCAPDIR/$1"
	echo "wrote $PCAPDIR/$1"
}

# expect_count FILE N [FILTER...] — a guard that the regenerated capture still
# matches its .truth; the make script fails (and installs nothing) otherwise.
expect_count() {
	local file=$1 want=$2 got
	shift 2
	# --count: packets, not lines (tcpdump prints a tunnelled packet's
	# inner headers on a line of their own)
	got=$(tcpdump -n -r "$file" --count "$@" 2>/dev/null)
	got=${got%% *}
	if [[ $got -ne $want ]]; then
		tcpdump -n -e -r "$file" >&2 2>/dev/null || true
		die "$(basename "$file"): expected $want packets matching '$*', got $got"
	fi
}

# A document root for python3 -m http.server with fixed content and fixed
# modification times, so the HTTP responses differ between runs only in the
# Date header.
#   hello.txt  26 bytes   "Hello from netscope tests\n"
#   big.txt    3000 bytes of numbered lines (for snaplen truncation)
http_root() {
	local root="$WORK/www" i
	if [[ ! -d $root ]]; then
		mkdir -p "$root"
		printf 'Hello from netscope tests\n' >"$root/hello.txt"
		for ((i = 1; i <= 100; i++)); do
			printf 'line %03d of a 3000-byte file for netscope tests\n' "$i"
		done | head -c 3000 >"$root/big.txt"
		touch -d '2024-01-01 00:00:00 UTC' "$root/hello.txt" "$root/big.txt"
	fi
	echo "$root"
}

# http_server TAG ADDR PORT — python3 -m http.server speaking HTTP/1.1, so
# the connection stays open after the response and the client (curl, on
# exit) always closes first.  With the default HTTP/1.0 both ends close at
# once and which FIN comes first changes from run to run.
http_server() {
	local root
	root=$(http_root)
	bg_run "http-$3" "$1" "$PY" -m http.server "$3" --bind "$2" -p HTTP/1.1 \
		--directory "$root"
	wait_listen "$1" tcp "$3"
}

# ---- two hosts on a veth -----------------------------------------------------
# Documentation prefixes (RFC 5737, RFC 3849) and fixed locally administered
# MACs, so addresses are the same in every regeneration.
A4=198.51.100.1
B4=198.51.100.2
A6=2001:db8:1::1
B6=2001:db8:1::2
MAC_A=02:00:00:00:00:0a
MAC_B=02:00:00:00:00:0b

# two_hosts [MTU] — namespaces "a" and "b" joined by veth va (in a) and vb
# (in b), with A4/A6 on va and B4/B6 on vb.  Returns with both links down:
# call hosts_up when any extra set-up (tc, tunnels) is done.
two_hosts() {
	local mtu=${1:-1500}
	ns_new a
	ns_new b
	veth_pair a va "$MAC_A" b vb "$MAC_B"
	ip -n "$(ns_name a)" link set va mtu "$mtu"
	ip -n "$(ns_name b)" link set vb mtu "$mtu"
	ip -n "$(ns_name a)" addr add "$A4/24" dev va
	ip -n "$(ns_name a)" addr add "$A6/64" dev va nodad
	ip -n "$(ns_name b)" addr add "$B4/24" dev vb
	ip -n "$(ns_name b)" addr add "$B6/64" dev vb nodad
}

# hosts_up — bring va and vb up and let the kernel's own start-up traffic
# (MLD reports for the solicited-node groups of the new addresses) pass
# before any capture starts.
hosts_up() {
	ip -n "$(ns_name a)" link set va up
	ip -n "$(ns_name b)" link set vb up
	settle
}

settle() { sleep 1; }

# ---- VLAN tags without CONFIG_VLAN_8021Q (see tc-vlan-bpf.py) ----------------
_bpffs() {
	if [[ ! -d $WORK/bpffs ]]; then
		mkdir "$WORK/bpffs"
		mount -t bpf bpf "$WORK/bpffs"
		_MOUNTS+=("$WORK/bpffs")
	fi
}

# vlan_tc TAG DEV TPID:VID... — tag every frame DEV sends with the given
# tags (innermost first) and strip as many tags from every frame it receives.
vlan_tc() {
	local tag=$1 dev=$2 pin
	shift 2
	_bpffs
	pin="$WORK/bpffs/$tag-$dev"
	"$PY" "$PCAPDIR/tc-vlan-bpf.py" "$pin-push" push "$@"
	"$PY" "$PCAPDIR/tc-vlan-bpf.py" "$pin-pop" pop $#
	in_ns "$tag" tc qdisc add dev "$dev" clsact
	in_ns "$tag" tc filter add dev "$dev" egress bpf da object-pinned "$pin-push"
	in_ns "$tag" tc filter add dev "$dev" ingress bpf da object-pinned "$pin-pop"
}

# wait_link TAG DEV — wait until DEV exists and is up (e.g. a tun device a
# background program creates).
wait_link() {
	local i
	for ((i = 0; i < 200; i++)); do
		if ip -n "$(ns_name "$1")" link show dev "$2" 2>/dev/null | grep -q ',UP'; then
			return 0
		fi
		sleep 0.05
	done
	die "interface $2 never came up in $(ns_name "$1")"
}
