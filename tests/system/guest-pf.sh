#!/usr/bin/env bash
# A stock Debian guest drives the card's PF with virtio_pci + virtio_net.
source "$(dirname "$0")/tap.bash"

console=$("$REPO_ROOT/scripts/run-guest.sh" \
    "$REPO_ROOT/tests/system/guest/pf-is-virtio-net.sh" \
    -netdev user,id=uplink \
    -device pcie-root-port,id=rp0,chassis=1 \
    -device nswitch-nic,bus=rp0,netdev=uplink,mac=02:6e:00:00:00:01 2>&1)
status=$?
echo "$console" | sed 's/^/# /'

ok "guest finished its scenario" test "$status" -eq 0
ok "virtio-pci binds the PF" contains "$console" "driver virtio-pci"
ok "virtio_net gives it an interface with the PF's MAC" \
    contains "$console" " 02:6e:00:00:00:01"
ok "the PF interface comes up" contains "$console" "PF-UP "

done_testing
