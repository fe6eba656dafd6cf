#!/usr/bin/env bash
# The build has KVM and vhost-net beside TCG, so that a user who follows
# the guide's -accel kvm -accel tcg gets KVM where the host has it, and
# TCG where it has not. No guest runs under KVM here (these machines' KVM hangs a
# Linux guest before its kernel prints): each machine stays stopped (-S)
# and is asked over QMP which accelerator it got.
source "$(dirname "$0")/tap.bash"

accels=$("$QEMU" -accel help 2>&1)
ok "-accel help lists tcg" grep -qx tcg <<<"$accels"
ok "-accel help lists kvm" grep -qx kvm <<<"$accels"
# vhost-net needs the host's /dev/vhost-net to run, which these machines
# lack; what can be checked here is that the build has it.
config=$(dirname "$(readlink -f "$QEMU")")/config-host.h
ok "the build has vhost-net (CONFIG_VHOST_NET in its config-host.h)" \
    grep -qx '#define CONFIG_VHOST_NET' "$config"
if [ -e /dev/vhost-net ] && [ "$(id -u)" -eq 0 ]; then
    output=$(timeout 30 "$QEMU" -machine q35 -accel tcg -display none \
        -nodefaults -S -netdev tap,id=t,ifname=nswvhost0,script=no,downscript=no,vhost=on \
        -monitor none -qmp stdio <<<'{"execute": "qmp_capabilities"} {"execute": "quit"}' 2>&1)
    ok "a tap with vhost=on starts on this host's /dev/vhost-net" \
        test "$?" -eq 0
else
    echo "# SKIP a tap with vhost=on: no /dev/vhost-net on this host, or not root"
fi

# machine ACCEL...: starts a stopped machine with the card under -accel
# ACCEL (the first that initialises), prints query-kvm's answer and
# QEMU's exit status.
machine() {
    printf '%s\n' '{"execute": "qmp_capabilities"}' \
        '{"execute": "query-kvm"}' '{"execute": "x-query-nswitch"}' \
        '{"execute": "quit"}' |
        timeout 60 "$QEMU" -machine q35 $(printf -- '-accel %s ' "$@") -display none \
            -nodefaults -S -qmp stdio \
            -device pcie-root-port,id=rp0,chassis=1 \
            -device nswitch-nic,id=card0,bus=rp0,vfs=2 2>&1
    echo "exit status $?"
}

output=$(machine tcg)
ok "-accel tcg: KVM is off" contains "$output" '"enabled": false'
ok "... the card answers" contains "$output" "card0"
ok "... and QEMU quits with status 0" contains "$output" "exit status 0"

if [ -e /dev/kvm ]; then
    output=$(machine kvm tcg)
    ok "-accel kvm -accel tcg with the host's /dev/kvm: KVM is on" \
        contains "$output" '"enabled": true'
    ok "... the card realizes under KVM" contains "$output" "card0"
    ok "... and QEMU quits with status 0" contains "$output" "exit status 0"
fi

# A host without KVM: where the host has /dev/kvm, it is replaced, in a
# mount namespace of the test's own, by an empty file that is no KVM
# device.
without_kvm() {
    if [ ! -e /dev/kvm ]; then
        machine kvm tcg
    else
        unshare --mount bash -c \
            "mount --bind '$empty' /dev/kvm && $(declare -f machine) &&
             QEMU='$QEMU' machine kvm tcg"
    fi
}
if [ ! -e /dev/kvm ] || { [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; }; then
    empty=$(mktemp)
    trap 'rm -f "$empty"' EXIT
    output=$(without_kvm)
    ok "-accel kvm -accel tcg on a host without KVM says why it falls back" \
        contains "$output" "failed to initialize kvm"
    ok "... and runs on TCG (KVM off)" contains "$output" '"enabled": false'
    ok "... with the card" contains "$output" "card0"
    ok "... and QEMU quits with status 0" contains "$output" "exit status 0"
else
    echo "# SKIP a host without KVM: hiding /dev/kvm needs root"
fi

done_testing
