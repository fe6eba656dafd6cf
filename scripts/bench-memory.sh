#!/usr/bin/env bash
# QEMU's RSS against the card's VF count, before any guest driver: starts
# QEMU (-S, 128 MiB of guest RAM, not touched) with vfs=N,ari=on, waits
# for its QMP monitor to answer, reads VmRSS and VmHWM (the peak, i.e.
# what realizing the VFs took) and quits. Writes docs/benchmarks/rss-vfs.csv
# and prints it. Not a test.
#   bench-memory.sh [VFS ...]   (default: 0 7 32 64 128 255)
source "$(dirname "$0")/common.sh"

counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(0 7 32 64 128 255)
qemu=${NSWITCH_QEMU_DIR:-$REPO_ROOT/build/qemu}/qemu-system-x86_64
out=$REPO_ROOT/docs/benchmarks/rss-vfs.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "vfs,rss_mib,peak_rss_mib,startup_s,rss_per_vf_kib" >"$out"
base_kib=""
for vfs in "${counts[@]}"; do
    started=$(date +%s.%N)
    "$qemu" -machine q35 -accel tcg -m 128 -display none -nodefaults -S \
        -device pcie-root-port,id=rp0,chassis=1 \
        -device "nswitch-nic,bus=rp0,vfs=$vfs,ari=on" \
        -qmp "unix:$work/qmp.sock,server=on,wait=off" &
    pid=$!
    tries=0
    until "$SYSTEM_PYTHON" "$REPO_ROOT/scripts/qmp.py" "$work/qmp.sock" \
        query-status >/dev/null 2>&1; do
        tries=$((tries + 1))
        [ "$tries" -lt 1200 ] || die "QEMU with $vfs VFs did not answer in 120 s"
        sleep 0.1
    done
    seconds=$(awk -v from="$started" -v to="$(date +%s.%N)" \
        'BEGIN { printf "%.1f", to - from }')
    read -r rss hwm < <(awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 }
        END { print r, h }' "/proc/$pid/status")
    "$SYSTEM_PYTHON" "$REPO_ROOT/scripts/qmp.py" "$work/qmp.sock" quit >/dev/null 2>&1 || true
    wait "$pid" || true
    [ -n "$base_kib" ] || base_kib=$rss
    per_vf=$([ "$vfs" -gt 0 ] && echo $(((rss - base_kib) / vfs)) || echo "")
    echo "$vfs,$((rss / 1024)),$((hwm / 1024)),$seconds,$per_vf" >>"$out"
done
cat "$out"
