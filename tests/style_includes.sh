#!/bin/bash
# Include cycles between modules (x.c/x.h pairs) of src/ and dissectors/:
# there are none, and this keeps it so.  See tests/include_cycles.py.
set -u
SRC=${srcdir:-.}
exec python3 "$SRC/tests/include_cycles.py" --srcdir "$SRC"
