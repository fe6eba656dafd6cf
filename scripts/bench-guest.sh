#!/usr/bin/env bash
# The guest benchmark: every switching mode and QEMU's igb VFs under one
# guest workload (scripts/bench/), in one run. Builds what it needs, then
#   bench-guest.sh [--smoke] [--out DIR] [--rounds N] [--modes a,b]
#                  [--experiments modes,uplink-cap,ports] [--seconds S]
#                  [--rates 20000,max] [--card-options rx-queue=0]
#                  [--report-from RAW_JSON]
# Writes CSVs, PNGs and guest-summary.md to DIR (default docs/benchmarks).
# Needs root: it makes a network namespace with a bridge and taps.
source "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || die "the guest benchmark needs root (namespaces, taps)"
"$REPO_ROOT/scripts/install-deps.sh"
"$REPO_ROOT/scripts/build-qemu.sh" >&2
"$REPO_ROOT/scripts/build-guest.sh" >/dev/null
exec "$SYSTEM_PYTHON" "$REPO_ROOT/scripts/bench/run.py" "$@"
