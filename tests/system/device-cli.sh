#!/usr/bin/env bash
# The device on QEMU's command line: registered, documented, and refusing
# bad properties at start-up with a message that names the property.
source "$(dirname "$0")/tap.bash"

help=$("$QEMU" -device nswitch-nic,help 2>&1)
status=$?
ok "-device nswitch-nic,help exits with status 0" test "$status" -eq 0
for property in vfs ari oui mode vf-netdevs uplink-speed rx-queue \
    buffer-size netdev mac; do
    ok "-device nswitch-nic,help lists '$property'" contains "$help" "  $property="
done
ok "help describes vfs" contains "$help" "TotalVFs"

# Starts a machine with the card and quits it over QMP; prints QEMU's
# output and its exit status on the last line.
start_with() {
    local output status
    output=$(printf '%s\n' '{"execute": "qmp_capabilities"}' '{"execute": "quit"}' |
        timeout 20 "$QEMU" -machine q35 -accel tcg -display none -nodefaults \
            -device pcie-root-port,id=rp0,chassis=1 \
            -device "nswitch-nic,$1" -S -qmp stdio 2>&1)
    status=$?
    printf '%s\nexit status %s\n' "$output" "$status"
}

output=$(start_with "bus=rp0,vfs=9")
ok "vfs=9 without ARI stops QEMU with an error naming 'vfs'" \
    contains "$output" "Property 'vfs' is 9 but at most 7 VFs fit without ARI"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"
output=$(start_with "bus=rp0,oui=nonsense")
ok "oui=nonsense stops QEMU with an error naming 'oui'" \
    contains "$output" "Property 'oui' must be three hex bytes"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"
# QEMU's own message changes if mode becomes an enum property: match the
# property and the quoted value (QEMU echoes "mode=bogus" unquoted).
output=$(start_with "bus=rp0,mode=bogus")
ok "mode=bogus stops QEMU with an error naming 'mode' and the value" \
    grep -qE "mode.*'bogus'" <<<"$output"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"
output=$(start_with "bus=rp0,vfs=16,ari=on")
ok "vfs=16,ari=on starts and quits cleanly" contains "$output" "exit status 0"
output=$(start_with "bus=pcie.0,addr=4,vfs=2")
ok "VFs on the root bus are refused: they need a PCI Express port" \
    contains "$output" "nswitch-nic with VFs needs a PCI Express port"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"
output=$(start_with "bus=pcie.0,addr=4,vfs=0")
ok "without VFs the card also works on the root bus" \
    contains "$output" "exit status 0"
output=$(start_with "bus=rp0,addr=0.1,vfs=2")
ok "a PF that is not function 0 is refused (VFs follow it)" \
    contains "$output" "nswitch-nic with VFs must be function 0 of its slot"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"

output=$(timeout 20 "$QEMU" -machine q35 -accel tcg -display none -nodefaults \
    -device pcie-root-port,id=rp0,chassis=1 -device nswitch-nic-vf,bus=rp0 \
    -S 2>&1 </dev/null; echo "exit status $?")
ok "nswitch-nic-vf cannot be created by hand (its PF creates it)" \
    contains "$output" "exit status 1"
# It is not user-creatable, so QEMU refuses it before its realize runs.
ok "... and QEMU says why" \
    contains "$output" "Parameter 'driver' expects a pluggable device type"

# Two cards: what query-nswitch says of their OUIs, and QEMU's warnings.
two_cards() {
    printf '%s\n' '{"execute": "qmp_capabilities"}' \
        '{"execute": "query-nswitch"}' '{"execute": "quit"}' |
        timeout 20 "$QEMU" -machine q35 -accel tcg -display none -nodefaults \
            -device pcie-root-port,id=rp0,chassis=1 \
            -device pcie-root-port,id=rp1,chassis=2 \
            -device "nswitch-nic,bus=rp0,$1" -device "nswitch-nic,bus=rp1,$2" \
            -S -qmp stdio 2>&1
}
output=$(two_cards vfs=1 vfs=1)
ok "a second card without oui= gets the next OUI, 02:6e:01" \
    contains "$output" '"oui": "02:6e:01"'
ok "... so the two cards' VFs get different MACs" \
    contains "$output" '"mac": "02:6e:01:00:00:01"'
output=$(two_cards vfs=1 vfs=1,oui=02:6e:00)
ok "a card given another card's OUI is warned about" \
    contains "$output" "OUI 02:6e:00 is also the OUI of"
ok "... saying their VFs get the same MACs" \
    contains "$output" "their VFs get the same MACs"

done_testing
