#!/bin/bash
# tshark as the oracle over the bundled captures:
#  1. every packet's addresses, ports, TCP flags and lengths (100%);
#  2. connection tracking: tcp.stream, relative seq/ack, windows,
#     tcp.analysis.*, initial RTT, udp.stream (at least 99.5% of packets:
#     tshark's guesses on crossing SYNs in a simultaneous open differ);
#  3. HTTP/1.1 messages through stream reassembly (100%);
#  4. the reassembled bytes of every TCP connection (-z follow) (100%);
#  6. HTTP/2 frames, headers, settings and gRPC message lengths (100%;
#     tshark needs -d for h2c on these ports; h2c-midstream is left out:
#     tshark does not frame it, and shows a wrongly decoded header where
#     netscope says the HPACK context is lost);
#  5. per connection: stream index, endpoints, packets and bytes each
#     way, handshake RTT and Zeek conn_state (100%);
#  6. TLS records and handshakes, JA3/JA3S (100%; tshark is told the
#     non-443 ports, netscope finds them by its heuristic);
#  7. DNS over UDP and TCP: header, questions, every record's fields,
#     EDNS options, DNSSEC records, query/response matching (100% of the
#     DNS messages of the real captures; the hand-made malformed-dns-*
#     captures (13 messages) differ from tshark in 3, where netscope is
#     stricter on purpose: it does not follow more than 128 compression
#     pointers, reads no record data past its rdlength, and counts the
#     labels of a name rather than its dots).
#  8. two-pass analysis (-2 for both tools): the DNS fields again and
#     dns.response_in, the frame of a query's answer, which only a second
#     pass knows (100% of the DNS messages of every capture), and
#     http.response_in for HTTP/1.1, with the h2c upgrade (100%).
#  9. tunnels and link layers: every field of VXLAN, GRE, LLC and PPPoE
#     discovery (tests/tunnel_fields.sh) in the captures of a kernel
#     VXLAN overlay, a GRE tunnel, Linux bridge STP BPDUs and rp-pppoe
#     (100%; the inner packets' headers are in 1.).  Geneve, MPLS, GTP-U,
#     802.11 and radiotap, which nothing here can send, are compared over
#     the public captures by tests/corpus.sh.
# a slow oracle run: make check-slow runs it (NS_SLOW=1), make check skips it
[ "${NS_SLOW:-0}" = 1 ] || {
	echo "SKIP: a slow oracle run, for make check-slow"
	exit 77
}
set -u
NS=${NETSCOPE:-./netscope}
SRC=${srcdir:-.}
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
PCAPS=()
for p in "$SRC"/tests/pcaps/*.pcap "$SRC"/tests/pcaps/*.pcapng; do
	# hand-made past netscope's IP fragment caps and timeout, which
	# tshark does not have: tests/ipfrag.sh checks it instead
	case $p in */malformed-frag-flood.pcap) continue ;; esac
	PCAPS+=("$p")
done
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
TLSF=tls.record.content_type,tls.record.version,tls.record.length
TLSF=$TLSF,tls.handshake.type,tls.handshake.version
TLSF=$TLSF,tls.handshake.extensions_server_name
TLSF=$TLSF,tls.handshake.extensions_alpn_str
TLSF=$TLSF,tls.handshake.extensions.supported_version
TLSF=$TLSF,tls.handshake.ciphersuite,tls.handshake.ja3
TLSF=$TLSF,tls.handshake.ja3_full,tls.handshake.ja3s
TLSF=$TLSF,tls.handshake.ja3s_full,tls.record.opaque_type
TLSF=$TLSF,tls.handshake.random,tls.handshake.session_id
TLSF=$TLSF,tls.handshake.extension.type
TLSF=$TLSF,tls.handshake.extensions_supported_group
TLSF=$TLSF,tls.handshake.sig_hash_alg
TLSF=$TLSF,tls.handshake.extensions_key_share_group
TLSF=$TLSF,tls.handshake.extensions_key_share_selected_group
TLSF=$TLSF,tls.alert_message.level,tls.alert_message.desc
TLSF=$TLSF,tls.handshake.server_named_curve
TLSF=$TLSF,tls.handshake.certificate_length,tls.handshake.comp_method
TLSF=$TLSF,tls.handshake.extensions_ec_point_format
TLSF=$TLSF,tls.extension.psk_ke_mode,tls.handshake.length
TLSF=$TLSF,tls.handshake.session_id_length
TLSF=$TLSF,tls.handshake.cipher_suites_length
TLSF=$TLSF,tls.handshake.extensions_length,tls.handshake.extension.len
. "$SRC/tests/h2_fields.sh"
. "$SRC/tests/tunnel_fields.sh"
# typed protobuf (--proto-descriptor): tshark reads inference.proto itself
# from the directory given as its protobuf search path
PBF=protobuf.message.name,protobuf.field.name,protobuf.field.number
PBF=$PBF,protobuf.field.type,protobuf.field.value.string
PBF=$PBF,protobuf.field.value.int32,protobuf.field.value.int64
PBF=$PBF,protobuf.field.value.uint32,protobuf.field.value.uint64
PBF=$PBF,protobuf.field.value.bool,protobuf.field.value.float
PBF=$PBF,protobuf.field.value.double,protobuf.field.value
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
# tls-socks is left out where tcp.stream numbers are compared: tshark's
# SOCKS dissector opens a conversation of its own for the proxied
# connection of a reply, which takes a tcp.stream number (the capture's
# second connection is stream 2 in tshark, 1 in netscope; its packets
# and bytes agree)
STREAMS=()
for p in "${PCAPS[@]}"; do
	case $(basename "$p") in tls-socks.pcap) ;; *) STREAMS+=("$p") ;; esac
done
NOTUN=()
for p in "${STREAMS[@]}"; do
	case $(basename "$p") in vxlan-veth.pcap) ;; *) NOTUN+=("$p") ;; esac
done
REAL=()
for p in "${PCAPS[@]}"; do
	case $(basename "$p") in malformed-*) ;; *) REAL+=("$p") ;; esac
done
# the gRPC captures over HTTP/2 (grpc-web-http1 is HTTP/1.1, compared
# apart below)
GRPC_H2=()
for p in "$SRC"/tests/pcaps/grpc-*.pcap; do
	# grpc-midstream (cut mid-connection) is compared with tshark by
	# tests/grpc_midstream.sh: tshark cannot tell its streams are gRPC
	case $(basename "$p") in grpc-web-http1.pcap | grpc-midstream.pcap) ;;
	*) GRPC_H2+=("$p") ;; esac
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
	--fields "$TCPF" "$NS" "${STREAMS[@]}"
run "HTTP/1.1" python3 "$SRC/tests/oracle.py" --min 100 --fields "$HTTPF" \
	--tshark-arg=-d --tshark-arg=tcp.port==20080,http "$NS" \
	"$SRC"/tests/pcaps/tcp-*http*.pcap
run "TLS" python3 "$SRC/tests/oracle.py" --min 100 --fields "$TLSF" \
	--tshark-arg=-d --tshark-arg=tcp.port==4433,tls \
	--tshark-arg=-d --tshark-arg=tcp.port==4434,tls \
	--tshark-arg=-d --tshark-arg=tcp.port==8443,tls "$NS" \
	"$SRC"/tests/pcaps/tls*.pcap
run "HTTP/2 and gRPC" python3 "$SRC/tests/oracle.py" --min 100 --fields "$H2F" \
	--tshark-arg=-d --tshark-arg=tcp.port==50051,http2 \
	--tshark-arg=-d --tshark-arg=tcp.port==8080,http2 \
	--tshark-arg=-d --tshark-arg=tcp.port==18443,http2 \
	--tshark-arg=-d --tshark-arg=tcp.port==50052,http2 \
	--tshark-arg=-d --tshark-arg=tcp.port==18080,http "$NS" \
	"${GRPC_H2[@]}" "$SRC"/tests/pcaps/h2c-nghttp.pcap \
	"$SRC"/tests/pcaps/h2c-upgrade.pcap
# Messages of methods the set lacks, and fields their type does not declare,
# are decoded raw, which netscope shows as it always has (raw fields are
# not Wireshark's): tshark names those fields <UNKNOWN>, and such packets
# are counted apart.
run "gRPC messages decoded with inference.desc" python3 "$SRC/tests/oracle.py" \
	--min 100 --fields "$PBF" --only protobuf.field.number \
	--skip-tshark 'protobuf.field.name=<UNKNOWN>' \
	--netscope-arg=--proto-descriptor="$SRC/tests/pcaps/inference.desc" \
	--tshark-arg=-d --tshark-arg=tcp.port==50051,http2 \
	--tshark-arg=-d --tshark-arg=tcp.port==8080,http2 \
	--tshark-arg=-d --tshark-arg=tcp.port==50052,http2 \
	--tshark-arg=-o \
	--tshark-arg="uat:protobuf_search_paths:\"$(cd "$SRC" && pwd)/tests/pcaps\",\"TRUE\"" \
	"$NS" "${GRPC_H2[@]}"
run "gRPC-Web over HTTP/1.1 (frames per connection)" python3 \
	"$SRC/tests/grpcweb_oracle.py" "$NS" 8080 "$SRC"/tests/pcaps/grpc-web-http1.pcap
run "follow" python3 "$SRC/tests/follow.py" "$NS" "${STREAMS[@]}"
# vxlan-veth is left out: netscope counts a packet in its innermost
# conversation only, so the underlay's UDP flows (which tshark counts with
# every tunnelled packet) hold just the packets with no inner transport
run "conversations" python3 "$SRC/tests/conv_oracle.py" "$NS" "${NOTUN[@]}"
# dns-odd-port: DNS over TCP on 5390, which netscope finds by itself and
# tshark (no TCP heuristic for DNS) must be told
DNSD=(--tshark-arg=-d --tshark-arg=tcp.port==5390,dns)
run "DNS" python3 "$SRC/tests/oracle.py" --min 100 --only dns.flags \
	"${DNSD[@]}" --fields "$DNSF" "$NS" "${REAL[@]}"
run "DNS, hand-made malformed messages" python3 "$SRC/tests/oracle.py" \
	--min 76 --only dns.flags --fields "$DNSF" "$NS" \
	"$SRC"/tests/pcaps/malformed-dns-*.pcap
run "DNS, two-pass (-2)" python3 "$SRC/tests/oracle.py" --min 100 --two-pass \
	--only dns.flags --tally dns.response_in "${DNSD[@]}" \
	--fields "$DNSF,dns.response_in" "$NS" "${REAL[@]}"
run "DNS, two-pass (-2), hand-made malformed messages: dns.response_in" \
	python3 "$SRC/tests/oracle.py" --min 100 --two-pass --only dns.flags \
	--tally dns.response_in --fields dns.response_in "$NS" \
	"$SRC"/tests/pcaps/malformed-dns-*.pcap
run "HTTP/1.1, two-pass (-2)" python3 "$SRC/tests/oracle.py" --min 100 \
	--two-pass --tally http.response_in --fields "$HTTPF,http.response_in" \
	--tshark-arg=-d --tshark-arg=tcp.port==20080,http \
	--tshark-arg=-d --tshark-arg=tcp.port==18080,http "$NS" \
	"$SRC"/tests/pcaps/tcp-*http*.pcap "$SRC"/tests/pcaps/h2c-upgrade.pcap
run "tunnels and link layers" python3 "$SRC/tests/oracle.py" --min 100 \
	--fields "$TUNF" "$NS" "$SRC"/tests/pcaps/vxlan-veth.pcap \
	"$SRC"/tests/pcaps/gre-veth.pcap "$SRC"/tests/pcaps/llc-stp.pcap \
	"$SRC"/tests/pcaps/pppoe-discovery.pcap
exit $fail
