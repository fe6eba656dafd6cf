#!/usr/bin/env bash
# The README's main command: sets everything up, then boots a guest with
# an nswitch-nic card, enables 4 VFs, pings between them through the
# in-card switch and prints the switch's ports, counters and relay table.
source "$(dirname "$0")/common.sh"

"$REPO_ROOT/scripts/setup.sh"
log "booting a guest with -device nswitch-nic (TCG, about 20 seconds)"
exec "$REPO_ROOT/scripts/run-guest.sh" "$REPO_ROOT/scripts/guest/demo.sh" \
    -netdev user,id=uplink,restrict=on \
    -device pcie-root-port,id=rp0,chassis=1 \
    -device nswitch-nic,id=card0,bus=rp0,netdev=uplink,vfs=4
