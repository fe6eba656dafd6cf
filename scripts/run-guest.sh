#!/usr/bin/env bash
# Boots the test guest under TCG with a scenario script and extra QEMU
# arguments; the guest's console goes to stdout. Exits with the scenario's
# status, or 124 if the guest did not finish in time.
#   run-guest.sh SCENARIO.sh [QEMU ARGS...]
# GUEST_TIMEOUT (seconds, default 120) bounds the whole run.
source "$(dirname "$0")/common.sh"

[ $# -ge 1 ] || die "usage: run-guest.sh SCENARIO.sh [QEMU ARGS...]"
scenario=$1
shift
[ -f "$scenario" ] || die "no scenario script $scenario"

guest=$("$REPO_ROOT/scripts/build-guest.sh")
qemu=$REPO_ROOT/build/qemu/qemu-system-x86_64
[ -x "$qemu" ] || die "$qemu is missing; run scripts/build-qemu.sh"

run_dir=$(mktemp -d)
trap 'rm -rf "$run_dir"' EXIT
# Linux unpacks concatenated cpio archives: the scenario rides on top.
mkdir "$run_dir/overlay"
install -m 755 "$scenario" "$run_dir/overlay/scenario.sh"
if [ -f "$(dirname "$scenario")/scenario-lib.sh" ]; then
    cp "$(dirname "$scenario")/scenario-lib.sh" "$run_dir/overlay/"
fi
cp "$guest/initramfs.cpio" "$run_dir/initramfs.cpio"
(cd "$run_dir/overlay" && find . | cpio -o -H newc --quiet) >>"$run_dir/initramfs.cpio"

set +e
timeout "${GUEST_TIMEOUT:-120}" "$qemu" \
    -machine q35 -accel tcg -cpu max -smp 2 -m 1024 \
    -name nswitch-guest,debug-threads=on \
    -display none -serial stdio -monitor none -no-reboot -nodefaults \
    -kernel "$guest/vmlinuz" -initrd "$run_dir/initramfs.cpio" \
    -append "console=ttyS0 quiet panic=-1 pci=realloc" \
    "$@" | tr -d '\r' | tee "$run_dir/console.log"
qemu_status=${PIPESTATUS[0]}
set -e
[ "$qemu_status" -eq 124 ] && { log "guest timed out"; exit 124; }
guest_status=$(awk '/^NSWITCH-GUEST-EXIT / { print $2 }' "$run_dir/console.log" | tail -n 1)
[ -n "$guest_status" ] || die "guest ended without reporting (QEMU exit $qemu_status)"
exit "$guest_status"
