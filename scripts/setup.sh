#!/usr/bin/env bash
# Sets up everything nswitch-nic needs, idempotently: Debian packages, the
# standalone core build (build/core) and its sanitizer and fuzzer build
# (build/core-asan, clang), QEMU $QEMU_VERSION with the device
# (build/qemu/qemu-system-x86_64), the same with ASan and UBSan
# (build/qemu-asan), the other supported QEMU release with the device
# (build/qemu-compat) and the test guest on its two kernels (6.1, 6.12).
# Fast when the cache ($NSWITCH_CACHE, default ~/.cache/nswitch-nic) is
# warm.
source "$(dirname "$0")/common.sh"

"$REPO_ROOT/scripts/install-deps.sh"

log "building the core and its unit tests in build/core"
if [ ! -f "$REPO_ROOT/build/core/build.ninja" ]; then
    meson setup "$REPO_ROOT/build/core" "$REPO_ROOT" >/dev/null
fi
meson compile -C "$REPO_ROOT/build/core" >/dev/null

log "building the core with ASan, UBSan and its fuzzers in build/core-asan"
if [ ! -f "$REPO_ROOT/build/core-asan/build.ninja" ]; then
    CC=clang meson setup "$REPO_ROOT/build/core-asan" "$REPO_ROOT" \
        -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
meson compile -C "$REPO_ROOT/build/core-asan" >/dev/null

"$REPO_ROOT/scripts/build-qemu.sh"
"$REPO_ROOT/scripts/build-qemu.sh" --sanitizers
"$REPO_ROOT/scripts/build-qemu.sh" --compat
"$REPO_ROOT/scripts/build-guest.sh" >/dev/null
GUEST_KERNEL=6.12 "$REPO_ROOT/scripts/build-guest.sh" >/dev/null
