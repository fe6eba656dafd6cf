#!/usr/bin/env bash
# The device-only benchmark: QEMU's host CPU and heap allocations per
# VF-to-VF frame with no guest OS, for modes nswitch, nswitch-generic
# (x-direct-path=off), veb, vepa and vswitch, 60 B, 1514 B and 64K GSO
# frames, 2, 64 and 255 VFs (tests/qtest/nswitch-devbench-test.c, QEMU
# with tests/bench/malloc-count.c preloaded), beside the floor of the
# copies and ring writes alone (tests/bench/bench-floor.c). Needs root (vepa and vswitch use a bridge
# and taps in a network namespace). Writes docs/benchmarks/device-only.*
# and device-floor.csv. Arguments go to scripts/bench/device.py (e.g.
# --rounds 3 --modes nswitch,vswitch --vfs 2 --sizes 60).
source "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || die "needs root: a bridge and taps in a network namespace"
"$REPO_ROOT/scripts/install-deps.sh"
if [ ! -x "$REPO_ROOT/build/qemu/qtest/nswitch-devbench-test" ]; then
    "$REPO_ROOT/scripts/build-qemu.sh"
fi
if [ ! -f "$REPO_ROOT/build/core/build.ninja" ]; then
    meson setup "$REPO_ROOT/build/core" "$REPO_ROOT" >/dev/null
fi
meson compile -C "$REPO_ROOT/build/core" >/dev/null
out=$REPO_ROOT/docs/benchmarks
mkdir -p "$out"
log "the floor: copies and ring writes alone"
"$REPO_ROOT/build/core/tests/bench/bench-floor" >"$out/device-floor.csv"
cat "$out/device-floor.csv"
exec "$SYSTEM_PYTHON" "$REPO_ROOT/scripts/bench/device.py" \
    --floor "$out/device-floor.csv" --out "$out" "$@"
