#!/usr/bin/env bash
# Runs a libFuzzer target as a TAP test: first every input of its
# committed corpus once (the regression corpus), then SECONDS of fuzzing
# from that corpus into a scratch directory (the committed one is never
# written). A crash, a sanitizer report or a failed invariant fails it.
#   run-fuzzer.sh FUZZER CORPUS_DIR SECONDS
set -uo pipefail
fuzzer=$1 corpus=$2 seconds=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

echo "1..2"
inputs=("$corpus"/*)
if "$fuzzer" -runs=0 "$corpus" >"$scratch/regression.log" 2>&1; then
    echo "ok 1 - $(basename "$fuzzer"): ${#inputs[@]} corpus inputs"
else
    sed 's/^/# /' "$scratch/regression.log" | tail -40
    echo "not ok 1 - $(basename "$fuzzer"): corpus inputs"
fi
mkdir "$scratch/new"
if "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$scratch/" "$scratch/new" "$corpus" \
    >"$scratch/run.log" 2>&1; then
    summary=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$scratch/run.log" |
              tail -n 1 | sed -E 's/^#([0-9]+)\s+\S+\s+/\1 executions, /')
    echo "ok 2 - $(basename "$fuzzer"): $seconds s, $summary"
else
    sed 's/^/# /' "$scratch/run.log" | tail -60
    for artifact in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-*; do
        [ -e "$artifact" ] && echo "# input: $(base64 -w0 <"$artifact")"
    done
    echo "not ok 2 - $(basename "$fuzzer"): $seconds s of fuzzing"
fi
