#!/usr/bin/env bash
# VF enable/disable churn under traffic in a guest: 100 rounds while the
# PF floods its VFs; QEMU keeps running, the VFs work after, and the
# card accounted for every frame.
#
# One vCPU: with two, QEMU's TCG aborted once here (iotlb_to_section:
# "section_index < d->map.sections_nb") while one vCPU remapped the VFs'
# BARs and the other kicked the PF's queues at full rate; see
# docs/security.md.
source "$(dirname "$0")/tap.bash"

console=$(GUEST_TIMEOUT=600 "$REPO_ROOT/scripts/run-guest.sh" \
    "$REPO_ROOT/tests/system/guest/vf-churn.sh" \
    -netdev user,id=uplink,restrict=on \
    -device pcie-root-port,id=rp0,chassis=1 \
    -device nswitch-nic,id=card0,bus=rp0,netdev=uplink,vfs=2 -smp 1 2>&1)
status=$?
grep -E '^(CHURN|AFTER)' <<<"$console" | sed 's/^/# /'
accounted=$("$REPO_ROOT/tests/system/nswitch-accounted.py" \
    card0 <<<"$console" 2>&1)
echo "# accounted: $accounted"

ok "guest finished its scenario" test "$status" -eq 0
ok "100 rounds of VF enable and disable under traffic" \
    contains "$console" "CHURN 100 rounds"
ok "VFs enabled after the churn talk" contains "$console" "AFTER ok"
in=${accounted#in=}
in=${in%% *}
ok "every frame is accounted for" test "$accounted" = "in=$in out=$in"

done_testing
