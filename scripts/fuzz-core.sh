#!/usr/bin/env bash
# A long run of the core's libFuzzer target, under ASan and UBSan, from
# its committed corpus. Prints executions, coverage and findings; with
# --update-corpus, merges the inputs that add coverage into the committed
# corpus (tests/fuzz/corpus/switch).
#   scripts/fuzz-core.sh [--runs N | --seconds S] [--update-corpus]
source "$(dirname "$0")/common.sh"

runs=10000000 seconds= update=0
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; runs=; shift 2 ;;
    --update-corpus) update=1; shift ;;
    *) die "usage: $0 [--runs N | --seconds S] [--update-corpus]" ;;
    esac
done
fuzzer=$REPO_ROOT/build/core-asan/tests/fuzz/fuzz-switch
corpus=$REPO_ROOT/tests/fuzz/corpus/switch
[ -x "$fuzzer" ] || die "no $fuzzer: run scripts/setup.sh first"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/new"
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

limit=(-runs="$runs")
[ -n "$seconds" ] && limit=(-max_total_time="$seconds")
log "fuzzing the core (${limit[*]}) from $corpus"
started=$(date +%s)
status=0
"$fuzzer" "${limit[@]}" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/new" "$corpus" >"$work/log" 2>&1 ||
    status=$?
elapsed=$(($(date +%s) - started))
final=$(grep -E '^#[0-9]+\s+DONE' "$work/log" | tail -n 1)
execs=$(sed -nE 's/^stat::number_of_executed_units:\s*([0-9]+)/\1/p' "$work/log")
crashes=$(find "$work" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' |
          wc -l)
echo "core fuzzer: ${execs:-?} executions in ${elapsed} s, ${final#*DONE }"
echo "core fuzzer: crashes/leaks/invariant failures: $crashes, exit status $status"
if [ "$status" -ne 0 ]; then
    tail -n 40 "$work/log"
    for artifact in "$work"/crash-* "$work"/leak-*; do
        [ -e "$artifact" ] && cp "$artifact" "$REPO_ROOT/build/" &&
            echo "kept $REPO_ROOT/build/$(basename "$artifact")"
    done
    exit 1
fi
if [ "$update" -eq 1 ]; then
    "$fuzzer" -set_cover_merge=1 "$corpus" "$work/new" >"$work/merge.log" 2>&1 ||
        die "corpus merge failed; see $work/merge.log"
    log "corpus now $(ls "$corpus" | wc -l) inputs"
fi
