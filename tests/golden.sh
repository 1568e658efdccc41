#!/bin/bash
# Golden-output tests: every capture in tests/pcaps is read in each mode and
# compared with tests/golden/<capture>.<mode>.out.
#
#   modes: text (default output), verbose (-v; not for TEXTONLY), hex (-x, for the captures
#   listed in HEX below), twopass (-2 -v, for those in TWOPASS: queries
#   and requests name their responses), proto (-v --proto-descriptor
#   inference.desc: the typed protobuf decoding, for the gRPC captures
#   listed in PROTO below), keylog and keylog-verbose (--tls-keylog
#   NAME.keys, with and without -v, for every capture that has a NAME.keys:
#   TLS decrypted)
#
# After an intended change in output, regenerate with
#     make golden          (= tests/golden.sh --update)
# and review the diff of tests/golden/ before committing it.
set -u
NS=${NETSCOPE:-./netscope}
NS=$(cd "$(dirname "$NS")" && pwd)/$(basename "$NS")
SRC=$(cd "${srcdir:-.}" && pwd)
PCAPS=$SRC/tests/pcaps
GOLDEN=$SRC/tests/golden
HEX="truncated-snaplen icmp-unreachable arp-ndp-veth llc-stp"
TWOPASS="dns-tcp dns-udp tcp-http-keepalive grpc-web-http1"
TWOPASS="$TWOPASS ipv4-fragments dns-ipv6-fragments"
# text only: the verbose tree of 2402 hand-made fragments would be 3 MB
# (tests/ipfrag.sh checks what that capture is for)
TEXTONLY="malformed-frag-flood"
PROTO="grpc-inference grpc-errors grpc-web grpc-web-http1"
update=0
[ "${1:-}" = --update ] && update=1

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
n=0
for pcap in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	[ -e "$pcap" ] || continue
	name=$(basename "$pcap")
	name=${name%.pcap}
	name=${name%.pcapng}
	modes="text verbose"
	case " $TEXTONLY " in *" $name "*) modes="text" ;; esac
	case " $HEX " in *" $name "*) modes="$modes hex" ;; esac
	case " $TWOPASS " in *" $name "*) modes="$modes twopass" ;; esac
	case " $PROTO " in *" $name "*) modes="$modes proto" ;; esac
	[ -e "$PCAPS/$name.keys" ] && modes="$modes keylog keylog-verbose"
	for mode in $modes; do
		case $mode in
		text) args=() ;;
		verbose) args=(-v) ;;
		hex) args=(-x) ;;
		twopass) args=(-2 -v) ;;
		proto) args=(-v --proto-descriptor inference.desc) ;;
		keylog) args=(--tls-keylog "$name.keys") ;;
		keylog-verbose) args=(-v --tls-keylog "$name.keys") ;;
		esac
		out=$GOLDEN/$name.$mode.out
		# the file name is shown relative so goldens do not depend on
		# where the tree is
		(cd "$PCAPS" && "$NS" read "${args[@]}" "$(basename "$pcap")") \
			>"$TMP/got" 2>&1
		echo "exit $?" >>"$TMP/got"
		n=$((n + 1))
		if [ $update = 1 ]; then
			mkdir -p "$GOLDEN"
			cp "$TMP/got" "$out"
		elif ! diff -u "$out" "$TMP/got" >"$TMP/diff" 2>&1; then
			echo "FAIL: $name ($mode)"
			head -40 "$TMP/diff"
			fail=1
		fi
	done
done
if [ $update = 1 ]; then
	echo "updated $n golden files in $GOLDEN"
	exit 0
fi
[ $n -gt 0 ] || { echo "no captures in $PCAPS"; exit 1; }
echo "$n golden comparisons"
exit $fail
