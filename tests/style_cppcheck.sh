#!/bin/bash
# Static analysis: cppcheck over src/ and dissectors/ with no finding.
# A finding is fixed in the code; a false positive gets an inline
# suppression with its reason on the line above:
#     /* cppcheck-suppress knownConditionTrueFalse ; why it is wrong */
# Results are cached per file in the build tree (cppcheck-cache/, removed
# by make clean): a run after a small change takes a second, a full one
# about 10 s of CPU.  Skipped (exit 77) without cppcheck (Debian 12 has
# 2.10, what CI installs).
set -u
SRC=${srcdir:-.}
CPPCHECK=${CPPCHECK:-cppcheck}
command -v "$CPPCHECK" >/dev/null || {
	echo "SKIP: cppcheck not installed (Debian: cppcheck)"
	exit 77
}
cache=$PWD/cppcheck-cache
mkdir -p "$cache" || exit 1
cd "$SRC" || exit 1
"$CPPCHECK" --version
out=$("$CPPCHECK" -q --cppcheck-build-dir="$cache" \
	--enable=warning,style,performance,portability --std=c11 \
	-D_GNU_SOURCE -I src --inline-suppr \
	--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
	src dissectors 2>&1)
if [ -n "$out" ]; then
	echo "$out"
	echo "cppcheck: $(echo "$out" | grep -cE '^[^ ]+:[0-9]+:[0-9]+: ') findings:" \
	     "fix them, or suppress a false positive inline with its reason"
	exit 1
fi
echo "cppcheck: no finding in src/ and dissectors/"
