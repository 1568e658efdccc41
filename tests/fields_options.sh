#!/bin/bash
# -T fields with tshark's -E options (header, separator, quote,
# occurrence, aggregator, bom) byte for byte against tshark, and the types
# `netscope fields` shows against `tshark -G fields`: see
# tests/fields_options.py.
set -u
NS=${NETSCOPE:-./netscope}
SRC=${srcdir:-.}
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
exec python3 "$SRC/tests/fields_options.py" "$NS" "$SRC/tests/pcaps"
