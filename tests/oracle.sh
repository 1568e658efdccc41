#!/bin/bash
# tshark as the oracle over the bundled captures:
#  1. every packet's addresses, ports, TCP flags and lengths (100%);
#  2. connection tracking: tcp.stream, relative seq/ack, windows,
#     tcp.analysis.*, initial RTT, udp.stream (at least 99.5% of packets:
#     tshark's guesses on crossing SYNs in a simultaneous open differ);
#  3. HTTP/1.1 messages through stream reassembly (100%);
#  4. the reassembled bytes of every TCP connection (-z follow) (100%);
#  5. per connection: stream index, endpoints, packets and bytes each
#     way, handshake RTT and Zeek conn_state (100%);
#  6. DNS over UDP and TCP: header, questions, every record's fields,
#     EDNS options, DNSSEC records, query/response matching (100% of the
#     DNS messages of the real captures; the hand-made malformed-dns-*
#     captures (13 messages) differ from tshark in 3, where netscope is
#     stricter on purpose:
#     it does not follow more than 128 compression pointers, reads no
#     record data past its rdlength, and counts the labels of a name
#     rather than its dots).
set -u
NS=${NETSCOPE:-./netscope}
SRC=${srcdir:-.}
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
PCAPS=("$SRC"/tests/pcaps/*.pcap "$SRC"/tests/pcaps/*.pcapng)
TCPF=tcp.stream,tcp.seq,tcp.ack,tcp.nxtseq,tcp.window_size
TCPF=$TCPF,tcp.window_size_scalefactor,tcp.analysis.initial_rtt
TCPF=$TCPF,tcp.analysis.ack_rtt,tcp.analysis.acks_frame
TCPF=$TCPF,tcp.analysis.bytes_in_flight,tcp.analysis.retransmission
TCPF=$TCPF,tcp.analysis.fast_retransmission
TCPF=$TCPF,tcp.analysis.spurious_retransmission,tcp.analysis.out_of_order
TCPF=$TCPF,tcp.analysis.duplicate_ack_num,tcp.analysis.lost_segment
TCPF=$TCPF,tcp.analysis.ack_lost_segment,tcp.analysis.window_update
TCPF=$TCPF,tcp.analysis.window_full,tcp.analysis.keep_alive
TCPF=$TCPF,tcp.analysis.keep_alive_ack,tcp.analysis.zero_window
TCPF=$TCPF,tcp.analysis.zero_window_probe,tcp.options.sack_le
TCPF=$TCPF,tcp.options.sack_re,tcp.time_relative,tcp.time_delta,udp.stream
HTTPF=http.request.method,http.request.uri,http.request.version
HTTPF=$HTTPF,http.response.code,http.response.phrase,http.content_type
HTTPF=$HTTPF,http.content_length,http.host,http.time,http.request_in
DNSF=dns.id,dns.flags,dns.flags.response,dns.flags.opcode,dns.flags.rcode
DNSF=$DNSF,dns.flags.truncated,dns.flags.authoritative,dns.flags.recdesired
DNSF=$DNSF,dns.flags.recavail,dns.flags.authenticated,dns.flags.checkdisable
DNSF=$DNSF,dns.count.queries,dns.count.answers,dns.count.auth_rr
DNSF=$DNSF,dns.count.add_rr,dns.count.zones,dns.count.prerequisites
DNSF=$DNSF,dns.count.updates,dns.qry.name,dns.qry.name.len,dns.count.labels
DNSF=$DNSF,dns.qry.type,dns.qry.class,dns.qry.qu,dns.resp.name,dns.resp.type
DNSF=$DNSF,dns.resp.class,dns.resp.cache_flush,dns.resp.ttl,dns.resp.len
DNSF=$DNSF,dns.a,dns.aaaa,dns.cname,dns.ns,dns.ptr.domain_name,dns.dname
DNSF=$DNSF,dns.mx.preference,dns.mx.mail_exchange,dns.txt,dns.txt.length
DNSF=$DNSF,dns.soa.mname,dns.soa.rname,dns.soa.serial_number
DNSF=$DNSF,dns.soa.refresh_interval,dns.soa.retry_interval
DNSF=$DNSF,dns.soa.expire_limit,dns.soa.minimum_ttl,dns.srv.service
DNSF=$DNSF,dns.srv.proto,dns.srv.name,dns.srv.priority,dns.srv.weight
DNSF=$DNSF,dns.srv.port,dns.srv.target,dns.caa.flags
DNSF=$DNSF,dns.caa.flags.issuer_critical,dns.caa.issue,dns.caa.issuewild
DNSF=$DNSF,dns.caa.iodef,dns.caa.tag,dns.caa.value,dns.naptr.order
DNSF=$DNSF,dns.naptr.preference,dns.naptr.flags,dns.naptr.service
DNSF=$DNSF,dns.naptr.regex,dns.naptr.replacement,dns.svcb.svcpriority
DNSF=$DNSF,dns.svcb.targetname,dns.svcb.svcparam.key
DNSF=$DNSF,dns.svcb.svcparam.value.length,dns.svcb.svcparam.mandatory.key
DNSF=$DNSF,dns.svcb.svcparam.alpn,dns.svcb.svcparam.port
DNSF=$DNSF,dns.svcb.svcparam.ipv4hint.ip,dns.svcb.svcparam.ipv6hint.ip
DNSF=$DNSF,dns.svcb.svcparam.echconfig,dns.rr.udp_payload_size
DNSF=$DNSF,dns.resp.ext_rcode,dns.resp.edns0_version,dns.resp.z.do,dns.opt.code
DNSF=$DNSF,dns.opt.len,dns.opt.data,dns.opt.client.family
DNSF=$DNSF,dns.opt.client.netmask,dns.opt.client.scope,dns.opt.client.addr4
DNSF=$DNSF,dns.opt.client.addr6,dns.opt.cookie.client,dns.opt.cookie.server
DNSF=$DNSF,dns.opt.edns_tcp_keepalive.timeout,dns.opt.padding
DNSF=$DNSF,dns.opt.ext_error.info_code,dns.opt.ext_error.extra_text
DNSF=$DNSF,dns.ds.key_id,dns.ds.algorithm,dns.ds.digest_type,dns.ds.digest
DNSF=$DNSF,dns.dnskey.flags,dns.dnskey.flags.zone_key
DNSF=$DNSF,dns.dnskey.flags.secure_entry_point,dns.dnskey.protocol
DNSF=$DNSF,dns.dnskey.algorithm,dns.dnskey.key_id,dns.dnskey.public_key
DNSF=$DNSF,dns.rrsig.type_covered,dns.rrsig.algorithm,dns.rrsig.labels
DNSF=$DNSF,dns.rrsig.original_ttl,dns.rrsig.signature_expiration
DNSF=$DNSF,dns.rrsig.signature_inception,dns.rrsig.key_tag
DNSF=$DNSF,dns.rrsig.signers_name,dns.rrsig.signature
DNSF=$DNSF,dns.nsec.next_domain_name,dns.nsec3.algo,dns.nsec3.flags
DNSF=$DNSF,dns.nsec3.iterations,dns.nsec3.salt_length,dns.nsec3.salt_value
DNSF=$DNSF,dns.nsec3.hash_length,dns.nsec3.hash_value,dns.response_to
DNSF=$DNSF,dns.time,dns.retransmission,dns.retransmit_request_in
DNSF=$DNSF,dns.retransmit_response_in
REAL=()
for p in "${PCAPS[@]}"; do
	case $(basename "$p") in malformed-*) ;; *) REAL+=("$p") ;; esac
done
fail=0
run() {
	echo "== $1"
	shift
	"$@" | tail -12 || fail=1
	[ "${PIPESTATUS[0]}" = 0 ] || fail=1
}
run "headers" python3 "$SRC/tests/oracle.py" --min 100 "$NS" "${PCAPS[@]}"
run "connection tracking" python3 "$SRC/tests/oracle.py" --min 99.5 \
	--fields "$TCPF" "$NS" "${PCAPS[@]}"
run "HTTP/1.1" python3 "$SRC/tests/oracle.py" --min 100 --fields "$HTTPF" \
	--tshark-arg=-d --tshark-arg=tcp.port==20080,http "$NS" \
	"$SRC"/tests/pcaps/tcp-*http*.pcap
run "follow" python3 "$SRC/tests/follow.py" "$NS" "${PCAPS[@]}"
run "conversations" python3 "$SRC/tests/conv_oracle.py" "$NS" "${PCAPS[@]}"
run "DNS" python3 "$SRC/tests/oracle.py" --min 100 --only dns.flags \
	--fields "$DNSF" "$NS" "${REAL[@]}"
run "DNS, hand-made malformed messages" python3 "$SRC/tests/oracle.py" \
	--min 76 --only dns.flags --fields "$DNSF" "$NS" \
	"$SRC"/tests/pcaps/malformed-dns-*.pcap
exit $fail
