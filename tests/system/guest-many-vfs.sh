#!/usr/bin/env bash
# 64 VFs with ARI in the 2-vCPU test guest: every one gets an interface
# from the stock virtio_net, and VF 0 pings each of the other 63 through
# the card's switch (VFs 8.. sit at slots past 0 of the card's bus).
source "$(dirname "$0")/tap.bash"

vfs=64
console=$(GUEST_TIMEOUT=400 "$REPO_ROOT/scripts/run-guest.sh" \
    "$REPO_ROOT/tests/system/guest/many-vfs.sh" \
    -netdev user,id=uplink,restrict=on \
    -device pcie-root-port,id=rp0,chassis=1 \
    -device nswitch-nic,id=card0,bus=rp0,netdev=uplink,vfs=$vfs,ari=on 2>&1)
status=$?
grep -E '^(VFS-|GUEST-LOG|PING)|warning' <<<"$console" | sed 's/^/# /'

ok "guest finished its scenario" test "$status" -eq 0
ok "QEMU printed no warning" lacks "$console" "warning"
ok "all $vfs VFs got an interface" contains "$console" "VFS-ENABLED $vfs of $vfs"
ok "VF 0 pinged each of the other $((vfs - 1))" \
    contains "$console" "VFS-PINGED $((vfs - 1)) failed 0"
ok "the relay group holds the PF and every VF" \
    contains "$console" "relay groups: 02:6e:00 ($((vfs + 1)) members, pinned)"
hairpinned=$(sed -n 's/^  paths: \([0-9]*\) hairpinned.*/\1/p' <<<"$console")
ok "the pings were hairpinned (${hairpinned:-no} frames)" \
    test "${hairpinned:-0}" -ge $((2 * (vfs - 1)))

done_testing
