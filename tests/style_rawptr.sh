#!/bin/bash
# Raw packet pointers: no dissector reads a byte by indexing or
# dereferencing a uint8_t pointer; every byte goes through the reader
# (src/core/reader.h).  See tests/rawptr.py.  It reads clang's AST: skipped (exit 77) without clang.
# NS_CPPFLAGS (set by make check) is what the build passes to the compiler.
set -u
SRC=${srcdir:-.}
CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null || {
	echo "SKIP: clang not installed (Debian: clang); it gives the types"
	exit 77
}
cd "$SRC" || exit 1
if files=$(git ls-files 'dissectors/*.c' 2>/dev/null) && [ -n "$files" ]; then
	:
else
	files=$(find dissectors -name '*.c' | sort)
fi
# shellcheck disable=SC2086 # file names have no spaces
exec python3 tests/rawptr.py --cc "$CLANG" \
	--cppflags "${NS_CPPFLAGS:--D_GNU_SOURCE -I src}" $files
