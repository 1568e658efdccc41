#!/bin/bash
# icmp-echo.pcap: `ping -c 3 127.0.0.1` (identifier fixed to 4660 = 0x1234 with -e),
# captured on lo (Ethernet) in a private namespace.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=icmp-echo.pcap
ns_new lo
capture_start lo lo "$OUT" icmp
in_ns lo ping -n -q -c 3 -i 0.2 -e 4660 127.0.0.1 >/dev/null
capture_stop

F=$WORK/$OUT
expect_count "$F" 6
expect_count "$F" 3 'icmp[icmptype] == icmp-echo'
expect_count "$F" 3 'icmp[icmptype] == icmp-echoreply'
install_capture "$OUT"
