#!/usr/bin/env bash
# The paper's other architectures with the same guest workload (4 VFs in
# 4 namespaces pinging every pair):
#   vepa    through a Linux bridge with hairpin mode on the uplink's tap,
#           the external switch of 802.1Qbg, in a network namespace made
#           here (and without hairpin, to show the reflection carries it);
#   vswitch each VF on its own tap in a host bridge;
#   veb     exact-MAC switching in the card (across OUIs: see the qtest).
source "$(dirname "$0")/tap.bash"

needs_root "it builds a bridge and taps in a network namespace"

mkdir -p "$REPO_ROOT/build/test-logs"
namespace=nswitch-modes-$$
trap 'ip netns del "$namespace" 2>/dev/null' EXIT
ip netns add "$namespace"
host() {
    ip netns exec "$namespace" "$@"
}
host ip link set lo up
host ip link add br0 type bridge
host ip link set br0 up

# A tap (with vnet headers) on br0 that QEMU opens by name.
bridged_tap() {
    host ip tuntap add dev "$1" mode tap vnet_hdr
    host ip link set "$1" master br0
    host ip link set "$1" up
}

boot() {
    local mode=$1
    shift
    host "$REPO_ROOT/scripts/run-guest.sh" \
        "$REPO_ROOT/tests/system/guest/ping-pairs.sh" \
        -device pcie-root-port,id=rp0,chassis=1 "$@" 2>&1 |
        tee "$REPO_ROOT/build/test-logs/guest-modes-$mode.console" |
        grep -E '^(PING|\[\{)'
}
counter() {
    python3 "$REPO_ROOT/tests/system/nswitch-counter.py" card0 "$@" <<<"$console"
}
pings_ok() {
    [ "$(grep -c '^PING .* ok$' <<<"$console")" -eq 12 ]
}

bridged_tap nswup0
host bridge link set dev nswup0 hairpin on
uplink=(-netdev tap,id=uplink,ifname=nswup0,script=no,downscript=no,vnet_hdr=on)

console=$(boot vepa "${uplink[@]}" \
    -device nswitch-nic,id=card0,bus=rp0,netdev=uplink,vfs=4,mode=vepa)
ok "vepa: every pair pings through the reflecting bridge" pings_ok
ok "vepa: the card hairpinned nothing" test "$(counter paths hairpinned)" -eq 0
ok "vepa: VF frames left by the uplink" test "$(counter paths to-uplink)" -ge 24
ok "vepa: and came back from it" test "$(counter paths from-uplink)" -ge 24

host bridge link set dev nswup0 hairpin off
console=$(boot vepa-no-hairpin "${uplink[@]}" \
    -device nswitch-nic,id=card0,bus=rp0,netdev=uplink,vfs=4,mode=vepa)
ok "vepa: without the bridge's hairpin no pair pings" \
    test "$(grep -c '^PING .* ok$' <<<"$console")" -eq 0

vf_netdevs=()
for vf in 0 1 2 3; do
    bridged_tap "nswvf$vf"
    vf_netdevs+=(-netdev "tap,id=vf$vf,ifname=nswvf$vf,script=no,downscript=no")
done
console=$(boot vswitch "${vf_netdevs[@]}" \
    -device nswitch-nic,id=card0,bus=rp0,vfs=4,mode=vswitch,vf-netdevs=vf0:vf1:vf2:vf3)
ok "vswitch: every pair pings through the host bridge" pings_ok
ok "vswitch: the card switched nothing" \
    test "$(counter paths hairpinned)" -eq 0
ok "vswitch: VFs are not on the card's switch" \
    test "$(counter 2 attached)" = False

console=$(boot veb -device nswitch-nic,id=card0,bus=rp0,vfs=4,mode=veb)
ok "veb: every pair pings inside the card" pings_ok
ok "veb: by hairpin" test "$(counter paths hairpinned)" -ge 24

done_testing
