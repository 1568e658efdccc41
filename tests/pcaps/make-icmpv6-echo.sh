#!/bin/bash
# icmpv6-echo.pcap: `ping -6 -c 3 ::1` (identifier fixed to 4660 = 0x1234 with -e),
# captured on lo (Ethernet) in a private namespace.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=icmpv6-echo.pcap
ns_new lo
capture_start lo lo "$OUT" icmp6
in_ns lo ping -6 -n -q -c 3 -i 0.2 -e 4660 ::1 >/dev/null
capture_stop

F=$WORK/$OUT
expect_count "$F" 6
expect_count "$F" 3 'icmp6[icmp6type] == icmp6-echo'
expect_count "$F" 3 'icmp6[icmp6type] == icmp6-echoreply'
install_capture "$OUT"
