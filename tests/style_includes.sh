#!/bin/bash
# Include cycles between modules (x.c/x.h pairs) of src/ and dissectors/:
# none but those listed in tests/include_cycles.allow, which only shrinks.
# See tests/include_cycles.py.
set -u
SRC=${srcdir:-.}
exec python3 "$SRC/tests/include_cycles.py" --srcdir "$SRC" \
	--allow "$SRC/tests/include_cycles.allow"
