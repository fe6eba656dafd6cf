#!/usr/bin/env bash
# Offloads across the switch: TCP between two VFs of one card carries GSO
# frames whole; TCP from a VF of card a to a VF of card b crosses their
# uplinks, which meet on a QEMU hub without vnet headers, so card a must
# segment and checksum in software: no frame on that wire exceeds the MTU.
source "$(dirname "$0")/tap.bash"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

console=$(GUEST_TIMEOUT=180 "$REPO_ROOT/scripts/run-guest.sh" \
    "$REPO_ROOT/tests/system/guest/offloads.sh" \
    -netdev hubport,id=uplink_a,hubid=7 -netdev hubport,id=uplink_b,hubid=7 \
    -object filter-dump,id=capture,netdev=uplink_a,file="$work/uplink.pcap" \
    -device pcie-root-port,id=rp0,chassis=1 \
    -device pcie-root-port,id=rp1,chassis=2 \
    -device nswitch-nic,id=a,bus=rp0,netdev=uplink_a,vfs=2 \
    -device nswitch-nic,id=b,bus=rp1,netdev=uplink_b,vfs=1 2>&1)
status=$?
grep -E '^(IN-CARD|ACROSS-UPLINKS)' <<<"$console" | sed 's/^/# /'

same_md5() {
    local line
    line=$(grep "^$1 " <<<"$console") || return 1
    read -r _ _ sent _ received <<<"$line"
    [ -n "$sent" ] && [ "$sent" = "$received" ]
}
counter() {
    python3 "$REPO_ROOT/tests/system/nswitch-counter.py" "$@" <<<"$console"
}

ok "guest finished its scenario" test "$status" -eq 0
ok "2 MiB cross the card VF to VF intact" same_md5 IN-CARD
ok "2 MiB cross from card a to card b through the uplinks intact" \
    same_md5 ACROSS-UPLINKS

# Card a: port 3 is VF 1, the in-card receiver.
delivered=$(( $(counter a 3 tx-bytes) / $(counter a 3 tx-frames) ))
echo "# card a delivered VF 1 frames of $delivered bytes on average"
ok "GSO frames reached the in-card receiver whole (average > MTU)" \
    test "$delivered" -gt 1514
ok "card a dropped no frame it could not offload" \
    test "$(counter a paths dropped.bad-offload)" -eq 0

largest=$(python3 "$REPO_ROOT/tests/system/pcap-frames.py" "$work/uplink.pcap" |
          awk 'BEGIN { max = 0 } $4 > max { max = $4 } END { print max }')
echo "# largest frame on the hub wire: $largest bytes"
ok "frames on the uplink without vnet-hdr were segmented (<= 1514 bytes)" \
    test "$largest" -le 1514
ok "... and the TCP stream did use the wire (frames > 1000 bytes)" \
    test "$largest" -gt 1000

done_testing
