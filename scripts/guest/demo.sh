#!/bin/sh
# The README's main command, guest side: what the guest sees of the card,
# then 4 VFs in 4 network namespaces pinging each other through the
# in-card switch, then the host prints the switch's view (info nswitch).
. /scenario-lib.sh

/show-device.sh
echo "== enabling 4 VFs, one per network namespace (169.254.10.1-4)"
enable_vfs_in_namespaces 4 || exit 1
/show-device.sh
echo "== ping between every pair of VFs"
ping_all_pairs 4 | sort | awk '{ split($2, pair, "->")
    line[pair[1]] = line[pair[1]] "  VF " pair[2] ": " $3 }
    END { for (a = 1; a <= 4; a++) print "  from VF " a ":" line[a] }'
echo "== the card's switch, from QMP x-query-nswitch (HMP: info nswitch)"
host_qmp x-query-nswitch || exit 1
