#!/usr/bin/env bash
# How many VFs a guest holds, and what they cost the host: boots the test
# guest with the card's 255 VFs (ARI) at a few guest sizes and VF vector
# counts, runs tests/system/guest/many-vfs.sh (enable all, wait for their
# interfaces, ping each from VF 0) and samples QEMU's RSS every 0.2 s.
# Writes docs/benchmarks/vfs-255.csv and prints it. Not a test:
# guest-many-vfs is (64 VFs).
#   bench-vfs.sh [VCPUS:VECTORS ...]   (default: 2:3 2:2 4:3)
source "$(dirname "$0")/common.sh"

configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(2:3 2:2 4:3)
vfs=255
guest_mib=2048
out=$REPO_ROOT/docs/benchmarks/vfs-255.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# peak_rss_of NAME FILE: the largest VmRSS (KiB) of the QEMU whose -name is
# NAME, sampled until it exits, written to FILE.
peak_rss_of() {
    local pid="" peak=0 rss tries=0
    until pid=$(pgrep -n -f -- "-name $1,") ; do
        tries=$((tries + 1))
        [ "$tries" -gt 600 ] && { echo 0 >"$2"; return; }
        sleep 0.1
    done
    while rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) &&
        [ -n "$rss" ]; do
        [ "$rss" -gt "$peak" ] && peak=$rss
        echo "$peak" >"$2"
        sleep 0.2
    done
}

echo "vcpus,vf_vectors,vfs,guest_mib,interfaces,enable_s,pinged,ping_failed,qemu_peak_rss_mib" >"$out"
for config in "${configs[@]}"; do
    vcpus=${config%:*}
    vectors=${config#*:}
    log "255 VFs, $vcpus vCPUs, vf-vectors=$vectors"
    peak_rss_of nswitch-guest "$work/rss" &
    sampler=$!
    console=$(GUEST_TIMEOUT=900 "$REPO_ROOT/scripts/run-guest.sh" \
        "$REPO_ROOT/tests/system/guest/many-vfs.sh" \
        -smp "$vcpus" -m "$guest_mib" \
        -netdev user,id=uplink,restrict=on \
        -device pcie-root-port,id=rp0,chassis=1 \
        -device "nswitch-nic,id=card0,bus=rp0,netdev=uplink,vfs=$vfs,ari=on,vf-vectors=$vectors" 2>&1) ||
        log "guest ended with status $?"
    wait "$sampler"
    grep -E '^(VFS-|GUEST-LOG)' <<<"$console" >&2 || true
    read -r up enable_s < <(sed -n 's/^VFS-ENABLED \([0-9]*\) of [0-9]* in \([0-9.]*\) s.*/\1 \2/p' <<<"$console")
    read -r pinged failed < <(sed -n 's/^VFS-PINGED \([0-9]*\) failed \([0-9]*\).*/\1 \2/p' <<<"$console")
    echo "$vcpus,$vectors,$vfs,$guest_mib,${up:-0},${enable_s:-},${pinged:-0},${failed:-},$(($(cat "$work/rss") / 1024))" >>"$out"
done
cat "$out"
