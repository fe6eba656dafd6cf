#!/usr/bin/env bash
# Beyond one machine: two QEMU processes (two servers), each with a card
# whose uplink is a tap on one Linux bridge in a network namespace (the
# top-of-rack switch). Two VFs of each server ping every address: frames
# between the VFs of one card stay inside it (neither uplink's capture
# shows them), frames between the servers cross the bridge (both
# captures show them, and both taps carried them).
source "$(dirname "$0")/tap.bash"
needs_root "it makes a network namespace with a bridge and taps"

work=$(mktemp -d)
namespace=nswitch-servers-$$
cleanup() {
    ip netns del "$namespace" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
in_ns() {
    ip netns exec "$namespace" "$@"
}

ip netns add "$namespace"
in_ns ip link set lo up
in_ns ip link add br0 type bridge
in_ns ip link set br0 up
for tap in tap-a tap-b; do
    in_ns ip tuntap add dev "$tap" mode tap
    in_ns ip link set "$tap" master br0
    in_ns ip link set "$tap" up
done

# server NAME TAP CARD-OPTIONS: boots it in the background.
# Two TCG guests share the host's cores: a longer bound than one guest's.
server() {
    GUEST_TIMEOUT=300 in_ns "$REPO_ROOT/scripts/run-guest.sh" \
        "$REPO_ROOT/tests/system/guest/two-servers.sh" \
        -netdev tap,id=uplink,ifname="$2",script=no,downscript=no \
        -object filter-dump,id=capture,netdev=uplink,file="$work/$1.pcap" \
        -device pcie-root-port,id=rp0,chassis=1 \
        -device nswitch-nic,id=card0,bus=rp0,netdev=uplink,vfs=2"$3" \
        >"$work/$1.log" 2>&1 &
}
server a tap-a ""
pid_a=$!
server b tap-b ",oui=02:6e:10"
pid_b=$!
wait "$pid_a"
status_a=$?
wait "$pid_b"
status_b=$?

for s in a b; do
    grep -E '^(PING|PEER)' "$work/$s.log" | sed "s/^/# $s: /"
done
ok "server a finished its scenario" test "$status_a" -eq 0
ok "server b finished its scenario" test "$status_b" -eq 0
# A server that failed shows how far its scenario got.
for s in a b; do
    eval "status=\$status_$s"
    [ "$status" -eq 0 ] || tail -n 15 "$work/$s.log" | sed "s/^/# $s console: /"
done
for pair in "a 1 2" "a 2 1" "b 3 4" "b 4 3"; do
    read -r s a b <<<"$pair"
    ok "server $s: its VFs ping each other ($a->$b)" \
        grep -qF "PING $a->$b ok" "$work/$s.log"
done
for pair in "a 1 3" "a 1 4" "a 2 3" "a 2 4" "b 3 1" "b 3 2" "b 4 1" "b 4 2"; do
    read -r s a b <<<"$pair"
    ok "server $s: namespace $a pings the other server's $b" \
        grep -qF "PING $a->$b ok" "$work/$s.log"
done

vf_a='02:6e:00:00:00:0[12]'
vf_b='02:6e:10:00:00:0[12]'
for s in a b; do
    frames=$(python3 "$REPO_ROOT/tests/system/pcap-frames.py" "$work/$s.pcap")
    local_unicast=$(grep -cE "^($vf_a) ($vf_a) |^($vf_b) ($vf_b) " <<<"$frames")
    between=$(grep -cE "^($vf_a) ($vf_b) 0800|^($vf_b) ($vf_a) 0800" <<<"$frames")
    echo "# uplink of server $s: $(wc -l <<<"$frames") frames, $local_unicast" \
        "between VFs of one card, $between IPv4 between the servers"
    ok "uplink of server $s: no frame between VFs of one card" \
        test "$local_unicast" -eq 0
    ok "uplink of server $s: the pings between servers crossed it" \
        test "$between" -ge 16
done
# What each tap carried (a tap outlives its QEMU; the bridge forgets what
# it learned on a tap once its QEMU closes it).
tap_packets() {
    in_ns cat "/sys/class/net/$1/statistics/$2_packets"
}
for s in a b; do
    echo "# tap-$s: $(tap_packets "tap-$s" rx) frames from server $s," \
        "$(tap_packets "tap-$s" tx) to it"
    ok "the bridge took server $s's frames and brought it the other's" \
        test "$(tap_packets "tap-$s" rx)" -ge 18 -a \
             "$(tap_packets "tap-$s" tx)" -ge 18
done

done_testing
