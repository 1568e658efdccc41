#!/bin/bash
# The binary is hardened as configure says (configure.ac, "hardening"):
# immediate binding (BIND_NOW) and a read-only GOT (GNU_RELRO segment): full
# RELRO; position independent (ELF type DYN); the stack protector
# (__stack_chk_fail imported) and FORTIFY (some __*_chk imported) when
# configure could apply it (NS_HARDEN_CPPFLAGS: not with CFLAGS=-O0).
# Skipped (77) in a build configured with --disable-hardening, in a
# sanitizer or fuzzing build (no FORTIFY there, see configure.ac), and
# without readelf (binutils).
set -u
NS=${NETSCOPE:-./netscope}
if [ "${NS_HARDENING:-yes}" = no ]; then
	echo "SKIP: configured with --disable-hardening"
	exit 77
fi
if [ "${NS_SANITIZED:-no}" = yes ]; then
	echo "SKIP: sanitizer or fuzzing build (no FORTIFY)"
	exit 77
fi
command -v readelf >/dev/null || { echo "SKIP: no readelf (binutils)"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
readelf -hlW "$NS" >"$TMP/hl" && readelf -dW "$NS" >"$TMP/d" &&
	readelf --dyn-syms -W "$NS" >"$TMP/syms" || {
	echo "FAIL: readelf cannot read $NS"
	exit 1
}
fail=0
check() { # what, then a command that succeeds when the binary has it
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $NS: $what"
		fail=1
	fi
}
check "BIND_NOW (-Wl,-z,now)" \
	grep -qE '\(FLAGS\) .*BIND_NOW|\(FLAGS_1\) .*\bNOW\b' "$TMP/d"
check "GNU_RELRO segment (-Wl,-z,relro)" grep -qE '^ +GNU_RELRO ' "$TMP/hl"
check "position independent: type DYN (-fPIE -pie)" \
	grep -qE '^ +Type: +DYN ' "$TMP/hl"
check "__stack_chk_fail imported (-fstack-protector-strong)" \
	grep -qE ' UND __stack_chk_fail(@|$)' "$TMP/syms"
case " ${NS_HARDEN_CPPFLAGS--D_FORTIFY_SOURCE} " in
*-D_FORTIFY_SOURCE*)
	check "a FORTIFY function imported (-D_FORTIFY_SOURCE)" \
		grep -qE ' UND __[a-z0-9_]+_chk(@|$)' "$TMP/syms"
	;;
*) echo "not checked: FORTIFY, which configure left out (no -O1 or more?)" ;;
esac
[ $fail = 0 ] && echo "fortified: $(grep -oE ' UND __[a-z0-9_]+_chk(@|$)' "$TMP/syms" |
	awk '{print $2}' | tr -d @ | sort -u | tr '\n' ' ')"
exit $fail
