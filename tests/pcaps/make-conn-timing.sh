#!/bin/bash
# conn-timing.pcap: where a client's time goes, as curl itself measures it.
# In a namespace whose resolv.conf (ip netns exec mounts
# /etc/netns/NAME/resolv.conf) sends the system resolver to dnsmasq on
# 127.0.0.1 with a Kubernetes-like search list (ns.svc.cluster.local
# svc.cluster.local cluster.local, ndots:5), curl fetches
# http://api.example.test:8080/slow once and https://…:8443/slow twice
# from timing-server.py (30 ms of server time, 2000 bytes; TLS 1.3 by
# python's ssl).  Each curl resolves the name itself: the search walk's
# NXDOMAIN answers (A and AAAA for each suffix) come first, then the name's
# own answers.  What the programs recorded:
#   conn-timing.curl   curl -w per fetch: url, time_namelookup,
#                      time_connect, time_appconnect, time_starttransfer,
#                      time_total (seconds from curl's start)
#   conn-timing.keys   curl's TLS key log (SSLKEYLOGFILE)
# tests/timing.sh checks -z conn,timing and -z dns,srt against them.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-tls.sh"
command -v dnsmasq >/dev/null || die "needs dnsmasq (dnsmasq-base)"
command -v curl >/dev/null || die "needs curl"

OUT=conn-timing.pcap
ns_new lo
tls_certs
ns=$(ns_name lo)
mkdir -p "/etc/netns/$ns"
_cleanup_etc() { rm -rf "/etc/netns/$ns"; }
trap '_cleanup_etc; _cleanup' EXIT
printf 'nameserver 127.0.0.1\nsearch ns.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n' \
	>"/etc/netns/$ns/resolv.conf"

bg_run dnsmasq lo dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	--listen-address=127.0.0.1 --bind-interfaces --port=53 \
	--local=/cluster.local/ --address=/api.example.test/127.0.0.1 \
	--no-negcache --cache-size=0 --user=root --pid-file=
wait_listen lo udp 53
bg_run server lo "$PY" "$PCAPDIR/timing-server.py" 8080 8443 \
	"$WORK/ec.crt" "$WORK/ec.key"
wait_listen lo tcp 8443
wait_listen lo tcp 8080

W='%{url_effective} %{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}\n'
capture_start lo lo "$OUT" port 53 or port 8080 or port 8443
for url in http://api.example.test:8080/slow https://api.example.test:8443/slow \
	https://api.example.test:8443/slow; do
	in_ns lo env SSLKEYLOGFILE="$WORK/conn-timing.keys" curl -sS -k \
		--max-time 5 -o /dev/null -w "$W" "$url" >>"$WORK/conn-timing.curl"
	sleep 0.2
done
capture_stop

F=$WORK/$OUT
expect_count "$F" 3 'tcp[tcpflags] == tcp-syn'
install_capture "$OUT"
install -m 644 "$WORK/conn-timing.curl" "$PCAPDIR/conn-timing.curl"
install -m 644 "$WORK/conn-timing.keys" "$PCAPDIR/conn-timing.keys"
