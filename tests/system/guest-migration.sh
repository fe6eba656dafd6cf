#!/usr/bin/env bash
# Migration while a guest pings across VFs: the VM moves to a second QEMU
# mid-stream, the pings go on there (the few lost in the switch-over are
# counted by ping), and the destination card switched them and accounted
# for every frame.
source "$(dirname "$0")/tap.bash"

console=$(python3 "$REPO_ROOT/tests/system/migrate-guest.py" \
    "$REPO_ROOT/tests/system/guest/vf-migration.sh" 300 \
    -netdev user,id=uplink,restrict=on \
    -device pcie-root-port,id=rp0,chassis=1 \
    -device nswitch-nic,id=card0,bus=rp0,netdev=uplink,vfs=2 2>&1)
status=$?
grep -E '^(BEFORE|MIGRAT|RUNNING|PINGS|AFTER)' <<<"$console" | sed 's/^/# /'
pings=$(grep '^PINGS ' <<<"$console")
sent=$(sed -nE 's/.* ([0-9]+) packets transmitted.*/\1/p' <<<"$pings")
answered=$(sed -nE 's/.* ([0-9]+) packets received.*/\1/p' <<<"$pings")
accounted=$("$REPO_ROOT/tests/system/nswitch-accounted.py" card0 \
    <<<"$console" 2>&1)
echo "# pings sent ${sent:-?}, answered ${answered:-?}; accounted:" \
    "$accounted"

ok "guest finished its scenario" test "$status" -eq 0
ok "VFs talk before" contains "$console" "BEFORE ok"
ok "the VM migrated while the pings ran" \
    contains "$console" "MIGRATION completed"
ok "the guest runs on the destination" \
    contains "$console" "RUNNING-ON-DESTINATION"
ok "all 300 pings were sent" test "${sent:-0}" -eq 300
# the switch-over stops the VM for a moment: a few may be lost, not more
ok "at least 270 of them were answered" test "${answered:-0}" -ge 270
ok "VFs talk after" contains "$console" "AFTER ok"
in=${accounted#in=}
in=${in%% *}
ok "the destination accounted for every frame" \
    test "$accounted" = "in=$in out=$in"

done_testing
