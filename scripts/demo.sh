#!/usr/bin/env bash
# The README's main command: sets everything up, then boots a guest with
# an nswitch-nic card and shows what the guest sees of it.
source "$(dirname "$0")/common.sh"

"$REPO_ROOT/scripts/setup.sh"
log "booting a guest with -device nswitch-nic (TCG, a few seconds)"
exec "$REPO_ROOT/scripts/run-guest.sh" "$REPO_ROOT/scripts/guest/show-device.sh" \
    -netdev user,id=uplink \
    -device pcie-root-port,id=rp0,chassis=1 \
    -device nswitch-nic,bus=rp0,netdev=uplink,vfs=4
