# lib-tcp.sh — helpers for the TCP connection-tracking captures (tcp-*.pcap
# made through tcp-relay.py).  Source it after lib.sh.
#
#   relay_hosts [RELAY-ARGS...]   namespaces a and b, each with one tap
#                  device (ta in a, tb in b) owned by tcp-relay.py, which
#                  forwards the frames between them, one per 1.5 ms tick
#                  each way, and applies the impairment rules in
#                  RELAY-ARGS (see the relay's header); returns when both
#                  taps are up.
#   peers SCENARIO [ARGS...]   run tcp-peers.py, which holds the client
#                  sockets in a and the server sockets in b (its output goes
#                  to $WORK/peers.out)
#   capture_both NAME_A NAME_B  tcpdump on ta (file NAME_A) and tb (NAME_B);
#                  capture_stop_both stops both; an empty name skips a side
#   relay_check NAME.truth   compare the relay's log (the impairments it
#                  applied) with the "relay:" block of NAME.truth
#   check_analysis FILE NAME.truth   compare tshark's TCP/UDP analysis
#                  (tcp.stream, tcp.analysis.* flags) with the "analysis:"
#                  block of NAME.truth (truth-analysis.py)
#   check_install NAME   relay_check, check_analysis and install_capture
#                  (the frame table) for $WORK/NAME; with no NAME.truth yet
#                  it installs unchecked (KEEP_RELAY_LOG=FILE then keeps a
#                  copy of the relay's log for the new .truth)
#
# Addresses and MACs are those of two_hosts (lib.sh): a = 198.51.100.1,
# 02:00:00:00:00:0a on ta; b = 198.51.100.2, 02:00:00:00:00:0b on tb; IPv4
# only (IPv6 is off on the taps, so no MLD or ND traffic); static neighbour
# entries, so no ARP either.
#
# Both namespaces get TCP settings that make the kernel's behaviour depend
# on the order of packets only, not on timing (every one of these is a
# per-namespace sysctl or a route attribute; none touches the host):
#   route "quickack 1"           ACK every segment at once (no delayed ACK
#                                timer deciding when an ACK goes out)
#   tcp_congestion_control=reno  the host default here is bbr, which paces
#                                by time; reno counts ACKs only
#   tcp_recovery=0               no RACK (time-based loss marking) on the
#                                kernels that honour it; Linux 6.18 uses
#                                RACK for SACK connections regardless (it
#                                retransmitted after 2 duplicate ACKs in
#                                trials).  Its reordering timer is 8 ms or
#                                more at HZ 250, and with the relay's
#                                1.5 ms ticks the next ACK always comes
#                                first, so losses are still marked when an
#                                ACK arrives, not when a timer fires
#   tcp_early_retrans=0          no tail loss probe (a timer)
#   tcp_comp_sack_nr=0           no SACK compression (a timer)
#   tcp_autocorking=0            a write is sent at once, not corked
#   tcp_moderate_rcvbuf=0        no receive-buffer autotuning (uses the
#                                measured RTT)
#   tcp_slow_start_after_idle=0, tcp_no_metrics_save=1
#                                no cwnd reset after idle, no metrics
#                                carried from one connection to the next
#   tcp_backlog_ack_defer=0      no ACK deferral while a socket is busy
#   tcp_invalid_ratelimit=0      answer every out-of-window segment (e.g. a
#                                zero-window probe); by default only one a
#                                500 ms, and probes come about that often

TCP_SYSCTLS=(
	net.ipv6.conf.default.disable_ipv6=1
	net.ipv4.tcp_congestion_control=reno
	net.ipv4.tcp_recovery=0
	net.ipv4.tcp_early_retrans=0
	net.ipv4.tcp_comp_sack_nr=0
	net.ipv4.tcp_autocorking=0
	net.ipv4.tcp_moderate_rcvbuf=0
	net.ipv4.tcp_slow_start_after_idle=0
	net.ipv4.tcp_no_metrics_save=1
	net.ipv4.tcp_backlog_ack_defer=0
	net.ipv4.tcp_invalid_ratelimit=0
)

relay_hosts() {
	local i
	ns_new a
	ns_new b
	for i in a b; do
		in_ns "$i" sysctl -q -w "${TCP_SYSCTLS[@]}" >/dev/null
	done
	bg_run relay a "$PY" "$PCAPDIR/tcp-relay.py" --log "$WORK/relay.log" "$@" \
		"/run/netns/$(ns_name a):ta" "/run/netns/$(ns_name b):tb"
	RELAY_PID=$BG_PID
	for ((i = 0; i < 200; i++)); do
		grep -q ready "$WORK/relay.out" 2>/dev/null && break
		kill -0 "$RELAY_PID" 2>/dev/null || { cat "$WORK/relay.err" >&2; die "relay died"; }
		sleep 0.05
	done
	grep -q ready "$WORK/relay.out" || die "relay did not start"
	_tap_host a ta "$MAC_A" "$A4" "$B4" "$MAC_B"
	_tap_host b tb "$MAC_B" "$B4" "$A4" "$MAC_A"
	settle
}

# _tap_host TAG DEV MAC ADDR PEER PEERMAC
_tap_host() {
	local ns
	ns=$(ns_name "$1")
	ip -n "$ns" link set "$2" address "$3"
	ip -n "$ns" addr add "$4/24" dev "$2"
	ip -n "$ns" link set "$2" up
	ip -n "$ns" route replace 198.51.100.0/24 dev "$2" proto kernel scope link \
		src "$4" quickack 1
	ip -n "$ns" neigh replace "$5" lladdr "$6" dev "$2" nud permanent
}

peers() {
	in_ns a "$PY" "$PCAPDIR/tcp-peers.py" "/run/netns/$(ns_name a)" \
		"/run/netns/$(ns_name b)" "$@" >"$WORK/peers.out" ||
		die "tcp-peers.py $1 failed"
}

CAP_A_PID=
CAP_A_ERR=
CAP_B_PID=
CAP_B_ERR=
capture_both() {
	if [[ -n $1 ]]; then
		capture_start a ta "$1"
		CAP_A_PID=$CAP_PID CAP_A_ERR=$CAP_ERR
	fi
	if [[ -n $2 ]]; then
		capture_start b tb "$2"
		CAP_B_PID=$CAP_PID CAP_B_ERR=$CAP_ERR
	fi
}

capture_stop_both() {
	[[ -z $CAP_A_PID ]] || capture_stop "$CAP_A_PID" "$CAP_A_ERR"
	[[ -z $CAP_B_PID ]] || capture_stop "$CAP_B_PID" "$CAP_B_ERR"
}

# The lines of block NAME: (up to the next empty line) of a .truth file.
truth_block() {
	awk -v b="$2:" '$0 == b { on = 1; next } on && /^[[:space:]]*$/ { exit } on' "$1"
}

relay_check() {
	local truth="$PCAPDIR/$1"
	if ! diff <(truth_block "$truth" relay | sed 's/^  //') "$WORK/relay.log" >&2; then
		die "the relay's actions (>) differ from the relay: block of $1 (<)"
	fi
}

check_analysis() {
	"$PY" "$PCAPDIR/truth-analysis.py" "$1" "$PCAPDIR/$2" ||
		die "$(basename "$1"): tshark's analysis differs from $2 (kept nothing)"
}

# check_install NAME — the relay's log, tshark's analysis and (through
# install_capture) the frame table of $WORK/NAME against NAME.truth; then
# install it.
check_install() {
	local truth=${1%.*}.truth
	# when writing a new .truth: KEEP_RELAY_LOG=FILE keeps the relay's log
	[[ -z ${KEEP_RELAY_LOG:-} ]] || cp "$WORK/relay.log" "$KEEP_RELAY_LOG"
	if [[ -f $PCAPDIR/$truth ]]; then
		relay_check "$truth"
		check_analysis "$WORK/$1" "$truth"
	fi
	install_capture "$1"
}
