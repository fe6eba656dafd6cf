# Helpers for guest scenarios (busybox sh); appended as /scenario-lib.sh.

# The first SR-IOV capable PCI function.
sriov_pf() {
    for dev in /sys/bus/pci/devices/*; do
        [ -e "$dev/sriov_totalvfs" ] && { echo "$dev"; return 0; }
    done
    return 1
}

# Waits until at least COUNT non-loopback interfaces exist.
wait_for_interfaces() {
    tries=0
    while [ "$(ls /sys/class/net | grep -vc '^lo$')" -lt "$1" ]; do
        tries=$((tries + 1))
        [ "$tries" -gt 50 ] && { echo "only $(ls /sys/class/net) appeared"; return 1; }
        sleep 0.1
    done
}

interface_with_mac() {
    for net in /sys/class/net/*; do
        [ "$(cat "$net/address")" = "$1" ] && { echo "${net##*/}"; return 0; }
    done
    return 1
}

# move_to_namespace IFACE N ADDRESS/PREFIX: a new network namespace N,
# held by a sleeping process, with IFACE renamed "vf" and up.
move_to_namespace() {
    unshare -n sleep 100000 &
    eval "namespace_pid_$2=$!"
    sleep 0.2
    ip link set "$1" netns "$!"
    in_namespace "$2" ip link set "$1" name vf
    in_namespace "$2" ip addr add "$3" dev vf
    in_namespace "$2" ip link set vf up
    in_namespace "$2" ip link set lo up
}

# in_namespace N COMMAND...: runs COMMAND in namespace N.
in_namespace() {
    eval "pid=\$namespace_pid_$1"
    shift
    nsenter -t "$pid" -n "$@"
}

# The network interface of PCI function directory $1 (virtio_net's).
interface_of_function() {
    for net in "$1"/virtio*/net/*; do
        [ -e "$net" ] && { echo "${net##*/}"; return 0; }
    done
    return 1
}

# enable_vfs_in_namespaces N: enables N VFs of the first SR-IOV PF and
# puts VF i (1-based) in network namespace i as "vf" with 169.254.10.i/24.
enable_vfs_in_namespaces() {
    pf=$(sriov_pf) || { echo "no SR-IOV function"; return 1; }
    echo "$1" >"$pf/sriov_numvfs" || return 1
    i=1
    while [ "$i" -le "$1" ]; do
        tries=0
        until iface=$(interface_of_function "$pf/virtfn$((i - 1))"); do
            tries=$((tries + 1))
            [ "$tries" -gt 50 ] && { echo "VF $i has no interface"; return 1; }
            sleep 0.1
        done
        move_to_namespace "$iface" "$i" "169.254.10.$i/24"
        i=$((i + 1))
    done
}

# ping_all_pairs N: "PING a->b ok" or "PING a->b failed" for each pair.
ping_all_pairs() {
    for a in $(seq "$1"); do
        for b in $(seq "$1"); do
            [ "$a" = "$b" ] && continue
            if in_namespace "$a" ping -c 1 -W 3 "169.254.10.$b" >/dev/null; then
                echo "PING $a->$b ok"
            else
                echo "PING $a->$b failed"
            fi
        done
    done
}
