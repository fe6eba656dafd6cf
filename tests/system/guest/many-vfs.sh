#!/bin/sh
# Guest side of guest-many-vfs.sh and scripts/bench-vfs.sh: enables every
# VF the first SR-IOV PF offers, waits for all their interfaces, puts each
# in its own namespace (10.77.0.0/16: a /24 has too few addresses for 255)
# and pings every other VF with an interface from VF 0's namespace (VF 0
# must have one). Prints how long enabling took, how many VFs got an
# interface, and how many of them answered VF 0's ping.
. /scenario-lib.sh

address_of() {
    echo "10.77.$(($1 / 250)).$(($1 % 250 + 1))"
}

uptime_cs() {
    read -r up _ </proc/uptime
    echo "${up%.*}${up#*.}"
}

pf=$(sriov_pf) || { echo "no SR-IOV function"; exit 1; }
total=$(cat "$pf/sriov_totalvfs")
started=$(uptime_cs)
echo "$total" >"$pf/sriov_numvfs" || exit 1
# Probing may fail for some VFs (a guest out of interrupt vectors): wait
# until no new interface came for 5 s, 300 s at most.
count_interfaces() {
    up=0
    for vf in $(seq 0 $((total - 1))); do
        interface_of_function "$pf/virtfn$vf" >/dev/null && up=$((up + 1))
    done
}
count_interfaces
last=$up
still=0
waited=0
while [ "$up" -lt "$total" ] && [ "$still" -lt 50 ] && [ "$waited" -lt 3000 ]; do
    sleep 0.1
    waited=$((waited + 1))
    count_interfaces
    if [ "$up" -eq "$last" ]; then
        still=$((still + 1))
    else
        still=0
        last=$up
    fi
done
elapsed=$(($(uptime_cs) - started))
echo "VFS-ENABLED $up of $total in $((elapsed / 100)).$((elapsed % 100 / 10)) s"
dmesg | grep -m 3 -i "virtio_net.*probe.*fail\|error -28" | sed 's/^/GUEST-LOG /'

moved=""
for vf in $(seq 0 $((total - 1))); do
    iface=$(interface_of_function "$pf/virtfn$vf") || continue
    move_to_namespace "$iface" "$vf" "$(address_of "$vf")/16" || exit 1
    moved="$moved $vf"
done
# VF 0 pings every other VF that has an interface
pinged=0
failed=0
for vf in $moved; do
    [ "$vf" = 0 ] && continue
    if in_namespace 0 ping -c 1 -W 3 "$(address_of "$vf")" >/dev/null; then
        pinged=$((pinged + 1))
    else
        failed=$((failed + 1))
        echo "PING 0->$vf failed"
    fi
done
echo "VFS-PINGED $pinged failed $failed"
host_qmp x-query-nswitch || exit 1
