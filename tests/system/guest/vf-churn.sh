#!/bin/sh
# Guest side of guest-churn.sh: VFs enabled and disabled 100 times while
# the PF floods broadcast frames at them, then enabled for good: they
# still talk, and the host checks the card accounted for every frame.
. /scenario-lib.sh

pf=$(sriov_pf)
modprobe pktgen || exit 1
iface=$(interface_of_function "$pf") || { echo "PF has no interface"; exit 1; }
move_to_namespace "$iface" 9 169.254.10.9/24 || exit 1
# broadcast, so that every VF enabled at that moment gets it
pktgen_setup 9 0 'count 0' 'pkt_size 200' 'delay 20000' \
    'dst_mac ff:ff:ff:ff:ff:ff' "$PKTGEN_MPLS" || exit 1
pktgen_start 9

round=0
while [ "$round" -lt 100 ]; do
    echo 2 >"$pf/sriov_numvfs" || { echo "CHURN enable failed"; exit 1; }
    tries=0
    until interface_of_function "$pf/virtfn1" >/dev/null; do
        tries=$((tries + 1))
        # a bound, not a delay: a loaded host probes slowly
        [ "$tries" -gt 300 ] && { echo "CHURN no interface"; exit 1; }
        sleep 0.1
    done
    echo 0 >"$pf/sriov_numvfs" || { echo "CHURN disable failed"; exit 1; }
    round=$((round + 1))
done
echo "CHURN $round rounds, PF sent $(pktgen_sent 9)"
pktgen_stop 9

enable_vfs_in_namespaces 2 || exit 1
in_namespace 1 ping -c 1 -W 3 169.254.10.2 >/dev/null && echo "AFTER ok"
host_qmp query-nswitch || exit 1
