# shellcheck shell=bash
# TAP helpers for the system tests; sourced.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# NSWITCH_QEMU_DIR: the QEMU build to test (scripts/run-tests.py sets it).
QEMU=${NSWITCH_QEMU_DIR:-$REPO_ROOT/build/qemu}/qemu-system-x86_64
tap_count=0
tap_failed=0

# ok DESCRIPTION COMMAND...: one test case, passing when COMMAND succeeds.
ok() {
    local description=$1
    shift
    tap_count=$((tap_count + 1))
    if "$@"; then
        echo "ok $tap_count - $description"
    else
        echo "not ok $tap_count - $description"
        tap_failed=$((tap_failed + 1))
    fi
}

# contains TEXT NEEDLE: a quiet grep -F that shows what it missed.
contains() {
    if grep -qF -- "$2" <<<"$1"; then
        return 0
    fi
    echo "# expected to find: $2" >&2
    return 1
}

# lacks TEXT NEEDLE: the opposite of contains, showing what it found.
lacks() {
    if ! grep -F -- "$2" <<<"$1" >&2; then
        return 0
    fi
    echo "# expected not to find: $2" >&2
    return 1
}

# skip_all REASON: reports the whole test as one skipped case and exits.
skip_all() {
    echo "ok 1 # SKIP $1"
    echo "1..1"
    exit 0
}

# needs_root WHY: skips the whole test unless it runs as root (the test
# itself calls no sudo; scripts/test.sh run by a user with sudo gets skips).
needs_root() {
    [ "$(id -u)" -eq 0 ] || skip_all "needs root: $1"
}

done_testing() {
    echo "1..$tap_count"
    [ "$tap_failed" -eq 0 ]
}
