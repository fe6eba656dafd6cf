#!/usr/bin/env bash
# The device on QEMU's command line: registered, documented, and refusing
# bad properties at start-up with a message that names the property.
source "$(dirname "$0")/tap.bash"

help=$("$QEMU" -device nswitch-nic,help 2>&1)
status=$?
ok "-device nswitch-nic,help exits with status 0" test "$status" -eq 0
for property in vfs ari oui mode vf-netdevs uplink-speed rx-queue \
    buffer-size vf-vectors netdev mac; do
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
output=$(start_with "bus=rp0,vfs=255,ari=on")
ok "vfs=255,ari=on starts and quits cleanly" contains "$output" "exit status 0"
# VFs past function 7 sit at slots past 0: valid with ARI, so no warning
ok "... without a warning" lacks "$output" "warning"
output=$(start_with "bus=rp0,vf-vectors=1")
ok "vf-vectors=1 stops QEMU with an error naming 'vf-vectors'" \
    contains "$output" "Property 'vf-vectors' is 1; a VF needs 2 to 4"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"
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

# A multi-port card: port 0 (ports=N) at function 0, ports 1.. after it.
# Prints QEMU's output and its exit status on the last line.
start_card() {
    local output status devices=()
    for device in "$@"; do
        devices+=(-device "nswitch-nic,bus=rp0,$device")
    done
    output=$(printf '%s\n' '{"execute": "qmp_capabilities"}' '{"execute": "quit"}' |
        timeout 20 "$QEMU" -machine q35 -accel tcg -display none -nodefaults \
            -device pcie-root-port,id=rp0,chassis=1 "${devices[@]}" \
            -S -qmp stdio 2>&1)
    status=$?
    printf '%s\nexit status %s\n' "$output" "$status"
}
output=$(start_card addr=0.0,ports=2,vfs=3 addr=0.1,vfs=3)
ok "two ports of 3 VFs fit one slot without ARI" \
    contains "$output" "exit status 0"
output=$(start_card addr=0.0,ports=9)
ok "ports=9 is refused, naming 'ports'" \
    contains "$output" "Property 'ports' is 9; a card has 1 to 8"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"
output=$(start_card addr=0.1,ports=2,vfs=0)
ok "ports= on a PF that is not function 0 is refused" \
    contains "$output" "Property 'ports' is for port 0 of a card, at function 0"
output=$(start_card addr=0.0,ports=3,vfs=1,ari=on addr=0.2,vfs=1,ari=on)
ok "a port added before the ports below it is refused" \
    contains "$output" "is port 2 of the card at 00.0: add its ports 0 to 1 first"
output=$(start_card addr=0.1,vfs=0 addr=0.0,ports=2,vfs=1)
ok "a card's port 0 after its port 1 is refused, naming 'ports'" \
    contains "$output" "Property 'ports' is 2 but the nswitch-nic at function 1 of slot 00 came first"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"
output=$(start_card addr=0.0,ports=3,vfs=1 addr=0.1,vfs=1)
ok "a card short of a port stops QEMU, naming 'ports'" \
    contains "$output" "Property 'ports' is 3 but function 2 of its slot has no nswitch-nic: add one at addr=00.2"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"
output=$(start_card addr=0.0,ports=2,vfs=3 addr=0.1,vfs=4)
ok "VFs past function 7 without ARI are refused, naming 'vfs'" \
    contains "$output" "Property 'vfs' is 4 but the VFs of port 1 take functions 5 to 8 of its slot, past 7: set ari=on"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"
output=$(start_card addr=0.0,ports=2,vfs=3,ari=on addr=0.1,vfs=3)
ok "ports with different ari= are refused, naming 'ari'" \
    contains "$output" "Property 'ari' must be the same on every port of a card: port 0 has ari=on"
output=$(start_card addr=0.0,ports=2,vfs=1,oui=02:aa:00 addr=0.1,vfs=1,oui=02:aa:00)
ok "two ports with one OUI are refused, naming 'oui'" \
    contains "$output" "Property 'oui' is 02:aa:00, the OUI of port 0 of this card"
ok "... and QEMU exits with status 1" contains "$output" "exit status 1"
output=$(start_card addr=0.0,ports=2,vfs=200,ari=on addr=0.1,vfs=100,ari=on)
ok "more VFs than routing IDs after the card's PFs are refused, naming 'vfs'" \
    contains "$output" "Property 'vfs' is 100 but only 54 routing IDs follow"

done_testing
