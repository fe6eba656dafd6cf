#!/usr/bin/env bash
# The core micro-benchmark: ns per forwarding decision (median, min, max
# of 15 runs of 2M decisions) and instructions per decision (callgrind,
# repeatable) at 2, 64 and 255 VFs with 64K relay entries, and
# allocations during decisions. Writes docs/benchmarks/core-decide.csv
# and prints it. Not a test: tests/bench's --smoke run is.
source "$(dirname "$0")/common.sh"

"$REPO_ROOT/scripts/install-deps.sh"
command -v valgrind >/dev/null ||
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind
if [ ! -f "$REPO_ROOT/build/core/build.ninja" ]; then
    meson setup "$REPO_ROOT/build/core" "$REPO_ROOT" >/dev/null
fi
meson compile -C "$REPO_ROOT/build/core" >/dev/null
bench=$REPO_ROOT/build/core/tests/bench/bench-decide
out=$REPO_ROOT/docs/benchmarks/core-decide.csv
mkdir -p "$(dirname "$out")"

timings=$("$bench")
{
    echo "vfs,relay_entries,ns_median,ns_min,ns_max,instructions,allocations"
    tail -n +2 <<<"$timings" | while IFS=, read -r vfs entries median min max allocs; do
        profile=$(mktemp)
        valgrind --tool=callgrind --callgrind-out-file="$profile" \
            --toggle-collect=nswitch_decide "$bench" --only "$vfs" 2>/dev/null
        instructions=$(awk '/^summary:/ { printf "%.1f", $2 / 100000 }' "$profile")
        rm -f "$profile"
        echo "$vfs,$entries,$median,$min,$max,$instructions,$allocs"
    done
} >"$out"
cat "$out"
