# tests/testlib.sh — sourced by script tests: the binary under test (NS,
# from NETSCOPE), the bundled captures (PCAPS), a temporary directory
# removed at exit (TMP), and check DESCRIPTION COMMAND... which counts the
# checks in n and sets fail when COMMAND fails.
NS=${NETSCOPE:-./netscope}
NS=$(cd "$(dirname "$NS")" && pwd)/$(basename "$NS")
PCAPS=$(cd "${srcdir:-.}/tests/pcaps" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
n=0
check() {
	local what=$1
	shift
	n=$((n + 1))
	if ! "$@"; then
		echo "FAIL: $what"
		fail=1
		return 1
	fi
}
