#!/bin/bash
# dns-dnssec.pcap: dig +dnssec asks knotd (lib-dns.sh) about the zones it
# signs: signed.test (NSEC) and nsec3.test (NSEC3).  DNSKEY, SOA and A with
# their RRSIGs, the DS of the delegation sub.signed.test, NXDOMAIN with NSEC
# and with NSEC3 proofs, NSEC3PARAM, and one query with checking disabled
# (+cdflag).  UDP from port 40053 on 127.0.0.1, captured on lo in a private
# namespace.  Keys and signatures are new on every run.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$PCAPDIR/lib-dns.sh"

OUT=dns-dnssec.pcap
ns_new dns
dns_server
capture_start dns lo "$OUT" udp port 53
d() { dig_ns @127.0.0.1 -b 127.0.0.1#40053 +tries=1 +time=2 +nocookie +dnssec "$@"; }
d signed.test DNSKEY
d signed.test SOA
d www.signed.test A
d sub.signed.test DS
d nx.signed.test A
d www.signed.test MX
d nsec3.test DNSKEY
d nx.nsec3.test A
d nsec3.test NSEC3PARAM
d +cdflag www.nsec3.test A
capture_stop

F=$WORK/$OUT
expect_count "$F" 10 dst port 53
expect_count "$F" 10 src port 53
install_capture "$OUT"
