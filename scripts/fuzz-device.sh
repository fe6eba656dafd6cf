#!/usr/bin/env bash
# A long run of the device fuzzer (tests/qtest/nswitch-fuzz-test.c)
# against QEMU built with ASan and UBSan: --inputs operations in all,
# --ops per seed (one machine each), seeds from --seed on (default: from
# the clock), in --jobs processes. Prints operations, seeds, time and
# failures; a failing seed is printed with its log, to be added to
# tests/fuzz/corpus/device/seeds once fixed.
#   scripts/fuzz-device.sh [--inputs N] [--ops N] [--seed N] [--jobs N]
source "$(dirname "$0")/common.sh"

inputs=1000000 ops=5000 seed=$(date +%s) jobs=2
while [ $# -gt 0 ]; do
    case $1 in
    --inputs) inputs=$2; shift 2 ;;
    --ops) ops=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) die "usage: $0 [--inputs N] [--ops N] [--seed N] [--jobs N]" ;;
    esac
done
build=$REPO_ROOT/build/qemu-asan
fuzzer=$build/qtest/nswitch-fuzz-test
[ -x "$fuzzer" ] || die "no $fuzzer: run scripts/setup.sh first"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QTEST_QEMU_BINARY=$build/qemu-system-x86_64
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export NSWITCH_FUZZ_OPS=$ops

seeds=$(((inputs + ops - 1) / ops))
per_job=$(((seeds + jobs - 1) / jobs))
log "device fuzzer: $seeds seeds of $ops operations from seed $seed," \
    "$jobs jobs, QEMU with ASan and UBSan"
started=$(date +%s)
for job in $(seq 0 $((jobs - 1))); do
    (
        first=$((seed + job * per_job))
        last=$((first + per_job))
        [ "$last" -le $((seed + seeds)) ] || last=$((seed + seeds))
        for ((s = first; s < last; s++)); do
            if NSWITCH_FUZZ_SEED=$s NSWITCH_FUZZ_SEEDS=1 \
               "$fuzzer" --tap -k -p /x86_64/nswitch-nic/fuzz/random \
               >"$work/seed-$s.log" 2>&1; then
                echo "$s" >>"$work/passed-$job"
                rm -f "$work/seed-$s.log"
            else
                echo "$s" >>"$work/failed-$job"
            fi
        done
    ) &
done
wait
elapsed=$(($(date +%s) - started))
passed=$(find "$work" -name 'passed-*' -exec cat {} + | wc -l)
failed=$(find "$work" -name 'failed-*' -exec cat {} + | wc -l)
echo "device fuzzer: $((passed * ops)) operations in $passed seeds passed," \
     "$failed seeds failed, in ${elapsed} s"
if [ "$failed" -ne 0 ]; then
    for s in $(find "$work" -name 'failed-*' -exec cat {} +); do
        echo "--- seed $s"
        grep -v '^# starting QEMU' "$work/seed-$s.log" | tail -n 30
    done
    exit 1
fi
