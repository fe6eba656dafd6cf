#!/usr/bin/env bash
# The card's life in a guest: VFs disabled while traffic flows between
# them and enabled again, then the PF hot-unplugged with VFs enabled;
# QEMU keeps running and forgets the card.
source "$(dirname "$0")/tap.bash"

console=$(GUEST_TIMEOUT=180 "$REPO_ROOT/scripts/run-guest.sh" \
    "$REPO_ROOT/tests/system/guest/vf-lifecycle.sh" \
    -netdev user,id=uplink,restrict=on \
    -device pcie-root-port,id=rp0,chassis=1 \
    -device nswitch-nic,id=card0,bus=rp0,netdev=uplink,vfs=2 2>&1)
status=$?
grep -E '^(BEFORE|DISABLED|VFS-NOW|AFTER|UNPLUGGED|\[|\{|\])' <<<"$console" |
    grep -v '^\[ ' | sed 's/^/# /'

ok "guest finished its scenario" test "$status" -eq 0
ok "VFs talk before" contains "$console" "BEFORE ok"
ok "VFs can be disabled while traffic flows" \
    contains "$console" "DISABLED under traffic"
ok "... and then none is enabled" contains "$console" "VFS-NOW 0"
ok "VFs enabled again talk again" contains "$console" "AFTER ok"
ok "the guest sees the PF go after device_del" \
    contains "$console" "UNPLUGGED"
ok "query-nswitch lists no card after the unplug" \
    grep -qx '\[\]' <<<"$console"

done_testing
