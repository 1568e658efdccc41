# lib-dns.sh — a DNS server for the make-dns-*.sh scripts (source after
# lib.sh).
#
# knotd (Knot DNS, Debian's knot package) serves zones written here, in
# namespace "dns", on 127.0.0.1 and ::1 port 53:
#   example.test             every record type the DNS dissector decodes:
#                            A/AAAA, a CNAME chain, MX, TXT (several
#                            strings, and a 4000-byte one for truncation),
#                            SRV, CAA, NAPTR, SVCB and HTTPS with SvcParams,
#                            NS/SOA, an unknown type (RFC 3597), a zone
#                            transfer allowed from 127.0.0.1
#   2.0.192.in-addr.arpa     PTR
#   signed.test              signed by knotd (ECDSA P-256, NSEC), with a
#                            delegation sub.signed.test and its DS
#   nsec3.test               signed with NSEC3 (0 iterations, no salt: the
#                            proofs are the same on every run)
# The server answers EDNS client subnet (edns-client-subnet: on), server
# cookies (mod-cookies), TCP keepalive and padding options.  Keys and
# signatures are made afresh on every run; everything else is fixed.
#
#   dns_server            start knotd and wait until every zone is signed;
#                         DNS_UDP_MAX (bytes), when set, lets it answer
#                         UDP that long (Knot's default is 1232)
#   dig_ns ARGS...        dig run in the namespace

for _t in knotd knotc kdig dig; do
	command -v "$_t" >/dev/null || die "missing tool: $_t (apt-get install knot knot-dnsutils bind9-dnsutils)"
done

_dns_zones() {
	local z=$1
	cat >"$z/example.test.zone" <<'ZONE'
$ORIGIN example.test.
$TTL 300
@         SOA   ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300
@         NS    ns1.example.test.
@         NS    ns2.example.test.
ns1       A     192.0.2.53
ns2       AAAA  2001:db8::53
api       A     192.0.2.7
api       A     192.0.2.8
api       AAAA  2001:db8::7
www       CNAME web.example.test.
web       CNAME api.example.test.
@         MX    10 mail.example.test.
@         MX    20 mail2.example.test.
mail      A     192.0.2.25
txt       TXT   "v=spf1 -all" "second string" "with \"quotes\" and a \\ backslash"
_sip._tcp SRV   10 60 5060 sip.example.test.
sip       A     192.0.2.60
@         CAA   0 issue "ca.example.net"
@         CAA   128 issuewild ";"
@         CAA   0 iodef "mailto:security@example.test"
naptr     NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.test.
naptr     NAPTR 102 10 "U" "E2U+sip" "!^.*$!sip:info@example.test!" .
svc       SVCB  1 svc-target.example.test. mandatory=alpn,port alpn=h2,h3 port=8443 ipv4hint=192.0.2.10,192.0.2.11 ipv6hint=2001:db8::10
@         HTTPS 1 . alpn=h3,h2 ipv4hint=192.0.2.7 ech=AEb+DQBCQQAgACCmBHG6E3UIH1FpeKQ1fcnWn2kE2S2Bp4SzdbT0aJRtPgAEAAEAAQAPZWNoLmV4YW1wbGUudGVzdAAA
alias     HTTPS 0 www.example.test.
unknown   TYPE65280 \# 4 0a000001
ZONE
	{
		echo '$ORIGIN example.test.'
		echo '$TTL 300'
		printf 'big TXT'
		local i
		for ((i = 0; i < 20; i++)); do
			printf ' "%s"' "$(printf 'chunk %02d of a 4000-byte TXT record for the truncation test %0123d' "$i" 0)"
		done
		echo
	} >>"$z/example.test.zone"
	cat >"$z/2.0.192.in-addr.arpa.zone" <<'ZONE'
$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@   SOA ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300
@   NS  ns1.example.test.
7   PTR api.example.test.
8   PTR api.example.test.
ZONE
	cat >"$z/signed.test.zone" <<'ZONE'
$ORIGIN signed.test.
$TTL 300
@     SOA   ns1.signed.test. hostmaster.signed.test. 1 7200 3600 1209600 300
@     NS    ns1.signed.test.
ns1   A     192.0.2.53
www   A     192.0.2.80
www   AAAA  2001:db8::80
sub   NS    ns1.sub.signed.test.
ns1.sub A   192.0.2.54
sub   DS    12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ZONE
	cat >"$z/nsec3.test.zone" <<'ZONE'
$ORIGIN nsec3.test.
$TTL 300
@     SOA   ns1.nsec3.test. hostmaster.nsec3.test. 1 7200 3600 1209600 300
@     NS    ns1.nsec3.test.
ns1   A     192.0.2.53
www   A     192.0.2.81
ZONE
}

dns_server() {
	local k=$WORK/knot
	mkdir -p "$k/zones" "$k/db" "$k/kasp" "$k/run"
	_dns_zones "$k/zones"
	cat >"$k/knot.conf" <<CONF
server:
    listen: [ 127.0.0.1@53, ::1@53 ]
    rundir: "$k/run"
    edns-client-subnet: on
    answer-rotation: off
    tcp-idle-timeout: 10
${DNS_UDP_MAX:+    udp-max-payload: $DNS_UDP_MAX}
log:
  - target: stderr
    any: warning
database:
    storage: "$k/db"
    kasp-db: "$k/kasp"
acl:
  - id: xfr
    address: 127.0.0.1
    action: transfer
policy:
  - id: nsec
    algorithm: ecdsap256sha256
    nsec3: off
  - id: nsec3
    algorithm: ecdsap256sha256
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0
template:
  - id: default
    storage: "$k/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
    global-module: mod-cookies
zone:
  - domain: example.test
    acl: xfr
  - domain: 2.0.192.in-addr.arpa
  - domain: signed.test
    dnssec-signing: on
    dnssec-policy: nsec
  - domain: nsec3.test
    dnssec-signing: on
    dnssec-policy: nsec3
CONF
	bg_run knotd dns knotd -c "$k/knot.conf"
	wait_listen dns udp 53
	wait_listen dns tcp 53
	local i z
	for z in example.test signed.test nsec3.test 2.0.192.in-addr.arpa; do
		for ((i = 0; i < 100; i++)); do
			if in_ns dns kdig @127.0.0.1 +dnssec +short "$z" SOA 2>/dev/null | grep -q .; then
				break
			fi
			sleep 0.1
		done
	done
	for z in signed.test nsec3.test; do
		for ((i = 0; i < 100; i++)); do
			if in_ns dns kdig @127.0.0.1 +dnssec "$z" SOA 2>/dev/null | grep -q RRSIG; then
				break
			fi
			sleep 0.1
		done
		((i < 100)) || die "knotd did not sign $z"
	done
}

dig_ns() { in_ns dns dig "$@" >/dev/null; }
