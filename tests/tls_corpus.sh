#!/bin/bash
# TLS agreement with tshark on captures netscope has never seen (not part
# of `make check`: it reads ../shared/corpus):
#   tests/tls_corpus.sh NETSCOPE PCAP...
# Records, SNI, ALPN, versions, cipher suites, JA3/JA3S, alerts, per packet,
# over TCP only (QUIC's TLS is not netscope's), with the TLS secrets some
# pcapng files embed removed first (tshark would decrypt with them and
# report the inner content types).
set -u
NS=$1
shift
SRC=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
F=tls.record.content_type,tls.record.version,tls.record.length
F=$F,tls.handshake.type,tls.handshake.version,tls.handshake.random
F=$F,tls.handshake.session_id,tls.handshake.extensions_server_name
F=$F,tls.handshake.extensions_alpn_str,tls.handshake.extension.type
F=$F,tls.handshake.extensions.supported_version,tls.handshake.ciphersuite
F=$F,tls.handshake.extensions_supported_group,tls.handshake.sig_hash_alg
F=$F,tls.handshake.extensions_key_share_group,tls.alert_message.level
F=$F,tls.alert_message.desc,tls.handshake.ja3,tls.handshake.ja3_full
F=$F,tls.handshake.ja3s,tls.handshake.ja3s_full
files=()
for p in "$@"; do
	out=$TMP/$(basename "$p")
	# editcap cannot rewrite some pcapng files; netscope -w writes plain
	# pcap, which has no room for secrets
	editcap --discard-all-secrets "$p" "$out" 2>/dev/null ||
		"$NS" read -q "$p" -w "$out" || cp "$p" "$out"
	files+=("$out")
done
python3 "$SRC/oracle.py" --require tcp.stream --show 10 --fields "$F" \
	"$NS" "${files[@]}"
