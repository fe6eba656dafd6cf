#!/bin/sh
# Guest side of guest-hairpin.sh: enables 4 VFs, puts each in its own
# network namespace (169.254.10.N), pings every pair, then moves VF 4 to
# another OUI and pings from it (its frames must now cross the uplink).
. /scenario-lib.sh

enable_vfs_in_namespaces 4 || exit 1
ping_all_pairs 4

# A MAC change flushes the neighbour table: VF 4 needs a static entry to
# send a unicast frame from OUI 02:99:00 to OUI 02:6e:00 (Case 1).
in_namespace 4 ip link set vf address 02:99:00:00:00:04
in_namespace 4 arp -i vf -s 169.254.10.1 02:6e:00:00:00:01
if in_namespace 4 ping -c 1 -W 2 169.254.10.1 >/dev/null; then
    echo "OTHER-OUI ping answered"
else
    echo "OTHER-OUI ping unanswered"
fi

host_qmp x-query-nswitch || exit 1
