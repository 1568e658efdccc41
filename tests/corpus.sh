#!/bin/bash
# The public captures (../shared/corpus, or the directory given): nothing
# may crash, hang or trip a sanitizer (run it with a --enable-sanitizers
# build to check the last), and addresses, ports, TCP flags and lengths must
# agree with tshark for at least 99.5% of packets.
#
#   tests/corpus.sh [CORPUS_DIR]        (make check-corpus)
set -u
NS=${NETSCOPE:-./netscope}
SRC=$(cd "$(dirname "$0")" && pwd)
DIR=${1:-$SRC/../../shared/corpus}
[ -d "$DIR" ] || { echo "SKIP: no corpus at $DIR"; exit 77; }
files=$(find "$DIR" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)
fail=0
n=0
for f in $files; do
	n=$((n + 1))
	timeout 60 "$NS" read -v -x "$f" >/dev/null 2>/tmp/corpus.$$.err
	rc=$?
	if [ $rc -gt 1 ] || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' /tmp/corpus.$$.err; then
		echo "FAIL: $f: exit $rc"
		head -20 /tmp/corpus.$$.err
		fail=1
	fi
done
rm -f /tmp/corpus.$$.err
echo "$n captures read, crashes/hangs/sanitizer reports: $fail"
if command -v tshark >/dev/null; then
	# shellcheck disable=SC2086
	python3 "$SRC/oracle.py" --show 0 --min 99.5 "$NS" $files | tail -15 || fail=1
fi
exit $fail
