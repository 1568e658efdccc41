#!/bin/bash
# Formatting: every tracked .c/.h is what the committed .clang-format makes
# of it (clang-format --dry-run -Werror names file:line:col of the first
# difference in each file).  Fix with `clang-format -i FILE`.
#
# The format is defined by clang-format 14 (Debian 12, what CI installs):
# another major version formats some constructs differently, so the test
# skips with it unless CLANG_FORMAT names a binary to use anyway.  Skipped
# (exit 77) without clang-format.
set -u
SRC=${srcdir:-.}
CF=${CLANG_FORMAT:-}
if [ -z "$CF" ]; then
	CF=$(command -v clang-format-14 || command -v clang-format) || {
		echo "SKIP: clang-format not installed (Debian: clang-format)"
		exit 77
	}
	major=$("$CF" --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
	if [ "$major" != 14 ]; then
		echo "SKIP: $CF is version $major, the format is clang-format 14's" \
		     "(set CLANG_FORMAT=$CF to check with it anyway)"
		exit 77
	fi
fi
cd "$SRC" || exit 1
# the tracked files in a checkout; in an unpacked tarball, what it holds
if files=$(git ls-files '*.c' '*.h' 2>/dev/null) && [ -n "$files" ]; then
	:
else
	files=$(find src dissectors tests fuzz bench -name '*.[ch]' 2>/dev/null |
		sort)
fi
n=$(echo "$files" | wc -l)
# shellcheck disable=SC2086 # file names have no spaces (the layout's rule)
if ! out=$("$CF" --dry-run -Werror $files 2>&1); then
	places=$(echo "$out" | grep -E '^[^ ]+:[0-9]+:[0-9]+: error: ')
	if [ -z "$places" ]; then # not a difference: clang-format's own error
		echo "$out"
		exit 1
	fi
	echo "$places" | sed 's/: error: .*/: not clang-formatted/'
	echo "$(echo "$places" | wc -l) places in" \
	     "$(echo "$places" | cut -d: -f1 | sort -u | wc -l) file(s) differ" \
	     "from .clang-format: run clang-format -i on them"
	exit 1
fi
echo "$n files clang-formatted"
