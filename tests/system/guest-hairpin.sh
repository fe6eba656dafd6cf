#!/usr/bin/env bash
# The nSwitch in a stock Debian guest: 4 VFs enabled through sysfs, each in
# its own network namespace, ping every pair; a capture of the uplink
# (filter-dump) shows that no hairpinned frame reached it, while a unicast
# frame between OUIs (from a VF moved to another OUI) did.
source "$(dirname "$0")/tap.bash"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

console=$("$REPO_ROOT/scripts/run-guest.sh" \
    "$REPO_ROOT/tests/system/guest/vf-namespaces.sh" \
    -netdev user,id=uplink,restrict=on \
    -object filter-dump,id=capture,netdev=uplink,file="$work/uplink.pcap" \
    -device pcie-root-port,id=rp0,chassis=1 \
    -device nswitch-nic,id=card0,bus=rp0,netdev=uplink,vfs=4 2>&1)
status=$?
grep -E '^(PING|OTHER-OUI)' <<<"$console" | sed 's/^/# /'

ok "guest finished its scenario" test "$status" -eq 0
for a in 1 2 3 4; do
    for b in 1 2 3 4; do
        [ "$a" = "$b" ] && continue
        ok "VF $a pings VF $b across namespaces" contains "$console" "PING $a->$b ok"
    done
done
ok "a VF moved to another OUI is cut off from the group" \
    contains "$console" "OTHER-OUI ping unanswered"

hairpinned=$(sed -n 's/^  paths: \([0-9]*\) hairpinned.*/\1/p' <<<"$console")
echo "# info nswitch: ${hairpinned:-no} hairpinned frames"
ok "info nswitch counts the pings' frames as hairpinned" \
    test "${hairpinned:-0}" -ge 24
ok "info nswitch shows the moved VF in the group of its new OUI" \
    contains "$console" "relay groups: 02:6e:00 (4 members, pinned) 02:99:00 (1 member)"
ok "info nswitch lists the moved VF's new MAC" \
    contains "$console" "02:99:00:00:00:04 -> port 5 (group 02:99:00)"

frames=$(python3 "$REPO_ROOT/tests/system/pcap-frames.py" "$work/uplink.pcap")
vf_mac='02:6e:00:00:00:0[1-4]'
hairpinned=$(grep -cE "^$vf_mac $vf_mac " <<<"$frames")
echo "# uplink capture: $(wc -l <<<"$frames") frames, $hairpinned VF-to-VF unicast"
ok "the uplink saw frames (broadcasts flood to it)" test -n "$frames"
ok "no VF-to-VF unicast frame reached the uplink" test "$hairpinned" -eq 0
ok "unicast from the moved VF to its old group crossed the uplink" \
    grep -qE "^02:6e:00:00:00:01 02:99:00:00:00:04 0800" <<<"$frames"

done_testing
