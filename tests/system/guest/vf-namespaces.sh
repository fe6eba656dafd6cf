#!/bin/sh
# Guest side of guest-hairpin.sh: enables 4 VFs, puts each in its own
# network namespace (169.254.10.N), pings every pair, then moves VF 4 to
# another OUI and pings from it (its frames must now cross the uplink).
. /scenario-lib.sh

pf=$(sriov_pf)
echo 4 >"$pf/sriov_numvfs" || exit 1
wait_for_interfaces 5 || exit 1

n=1
for mac in 02:6e:00:00:00:01 02:6e:00:00:00:02 02:6e:00:00:00:03 \
           02:6e:00:00:00:04; do
    move_to_namespace "$(interface_with_mac "$mac")" "$n" "169.254.10.$n/24"
    n=$((n + 1))
done

for a in 1 2 3 4; do
    for b in 1 2 3 4; do
        [ "$a" = "$b" ] && continue
        if in_namespace "$a" ping -c 1 -W 3 "169.254.10.$b" >/dev/null; then
            echo "PING $a->$b ok"
        else
            echo "PING $a->$b failed"
        fi
    done
done

# A MAC change flushes the neighbour table: VF 4 needs a static entry to
# send a unicast frame from OUI 02:99:00 to OUI 02:6e:00 (Case 1).
in_namespace 4 ip link set vf address 02:99:00:00:00:04
in_namespace 4 arp -i vf -s 169.254.10.1 02:6e:00:00:00:01
if in_namespace 4 ping -c 1 -W 2 169.254.10.1 >/dev/null; then
    echo "OTHER-OUI ping answered"
else
    echo "OTHER-OUI ping unanswered"
fi
