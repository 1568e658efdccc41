#!/bin/bash
# The flood test at full size: 1,000,000 distinct SYNs never completed
# (tests/flood.sh does the work and checks the bounds; see README).
#     bench/flood.sh [-b NETSCOPE] [N]
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
NETSCOPE=${NETSCOPE:-$here/netscope}
if [ "${1:-}" = -b ]; then
	NETSCOPE=$2
	shift 2
fi
export NETSCOPE
srcdir=$here exec "$here/tests/flood.sh" "${1:-1000000}"
