#!/usr/bin/env bash
# Boots the test guest under TCG with a scenario script and extra QEMU
# arguments; the guest's console goes to stdout. Exits with the scenario's
# status, or 124 if the guest did not finish in time.
#   run-guest.sh SCENARIO.sh [QEMU ARGS...]
# GUEST_TIMEOUT (seconds, default 120) bounds the whole run; NSWITCH_QEMU_DIR
# (default build/qemu) is the QEMU build to boot it on.
# A scenario asks the host for a QMP command by printing the line
# "NSWITCH-QMP COMMAND [JSON-ARGUMENTS]"; the answer is printed in the
# console's flow (e.g. NSWITCH-QMP x-query-nswitch), then the line
# "NSWITCH-QMP-DONE STATUS" on the console's input tells the guest it is
# there and how it went: 0, or non-zero on a QMP error (host_qmp in
# scenario-lib returns it).
# Scenarios can source /scenario-lib.sh (scripts/guest/scenario-lib.sh).
source "$(dirname "$0")/common.sh"

[ $# -ge 1 ] || die "usage: run-guest.sh SCENARIO.sh [QEMU ARGS...]"
scenario=$1
shift
[ -f "$scenario" ] || die "no scenario script $scenario"

guest=$("$REPO_ROOT/scripts/build-guest.sh")
qemu=${NSWITCH_QEMU_DIR:-$REPO_ROOT/build/qemu}/qemu-system-x86_64
[ -x "$qemu" ] || die "$qemu is missing; run scripts/build-qemu.sh"

run_dir=$(mktemp -d)
trap 'rm -rf "$run_dir"' EXIT
"$REPO_ROOT/scripts/guest-initramfs.sh" "$scenario" "$run_dir/initramfs.cpio"

qmp=$run_dir/qmp.sock
# The console's input: opened read-write, so neither side waits for the
# other to open it.
mkfifo "$run_dir/console-input"
exec {console_input}<>"$run_dir/console-input"

# Echoes the console and carries out the scenario's QMP requests.
follow_console() {
    local line command arguments status
    while IFS= read -r line; do
        line=${line%$'\r'}
        printf '%s\n' "$line"
        case "$line" in
        "NSWITCH-QMP "*)
            read -r command arguments <<<"${line#NSWITCH-QMP }"
            status=0
            "$SYSTEM_PYTHON" "$REPO_ROOT/scripts/qmp.py" "$qmp" "$command" \
                ${arguments:+"$arguments"} 2>&1 || status=$?
            echo "NSWITCH-QMP-DONE $status" >&"$console_input"
            ;;
        esac
    done
}

set +e
timeout "${GUEST_TIMEOUT:-120}" "$qemu" \
    -machine q35 -accel tcg -cpu max -smp 2 -m 1024 \
    -name nswitch-guest,debug-threads=on \
    -display none -serial stdio -monitor none -no-reboot -nodefaults \
    -qmp "unix:$qmp,server=on,wait=off" \
    -kernel "$guest/vmlinuz" -initrd "$run_dir/initramfs.cpio" \
    -append "console=ttyS0 quiet panic=-1 pci=realloc no_timer_check" \
    "$@" <&"$console_input" | follow_console | tee "$run_dir/console.log"
qemu_status=${PIPESTATUS[0]}
set -e
[ "$qemu_status" -eq 124 ] && { log "guest timed out"; exit 124; }
guest_status=$(awk '/^NSWITCH-GUEST-EXIT / { print $2 }' "$run_dir/console.log" | tail -n 1)
[ -n "$guest_status" ] || die "guest ended without reporting (QEMU exit $qemu_status)"
exit "$guest_status"
