#!/usr/bin/env bash
# The device on QEMU's command line: registered, documented, and refusing
# bad properties at start-up with a message that names the property.
source "$(dirname "$0")/tap.bash"

help=$("$QEMU" -device nswitch-nic,help 2>&1)
for property in vfs ari oui netdev mac; do
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
    contains "$output" "Property 'vfs' is 9"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"
output=$(start_with "bus=rp0,oui=nonsense")
ok "oui=nonsense stops QEMU with an error naming 'oui'" \
    contains "$output" "Property 'oui' must be three hex bytes"
output=$(start_with "bus=rp0,vfs=16,ari=on")
ok "vfs=16,ari=on starts and quits cleanly" contains "$output" "exit status 0"
output=$(start_with "bus=pcie.0,addr=4,vfs=2")
ok "VFs on the root bus are refused: they need a PCI Express port" \
    contains "$output" "needs a PCI Express port"
output=$(start_with "bus=pcie.0,addr=4,vfs=0")
ok "without VFs the card also works on the root bus" \
    contains "$output" "exit status 0"
output=$(start_with "bus=rp0,addr=0.1,vfs=2")
ok "a PF that is not function 0 is refused (VFs follow it)" \
    contains "$output" "function 0 of its slot"

output=$(timeout 20 "$QEMU" -machine q35 -accel tcg -display none -nodefaults \
    -device pcie-root-port,id=rp0,chassis=1 -device nswitch-nic-vf,bus=rp0 \
    -S 2>&1 </dev/null; echo "exit status $?")
ok "nswitch-nic-vf cannot be created by hand (its PF creates it)" \
    contains "$output" "exit status 1"
ok "... and QEMU says why" contains "$output" "nswitch-nic-vf"

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
    contains "$output" "their VFs get the same MACs"

done_testing
