#!/usr/bin/env bash
# Writes the test guest's initramfs with a scenario on top:
#   guest-initramfs.sh SCENARIO.sh OUTPUT.cpio
# The guest's init runs /scenario.sh, which can source /scenario-lib.sh.
source "$(dirname "$0")/common.sh"

[ $# -eq 2 ] || die "usage: guest-initramfs.sh SCENARIO.sh OUTPUT.cpio"
scenario=$1
output=$2
[ -f "$scenario" ] || die "no scenario script $scenario"

guest=$("$REPO_ROOT/scripts/build-guest.sh")
overlay=$(mktemp -d)
trap 'rm -rf "$overlay"' EXIT
install -m 755 "$scenario" "$overlay/scenario.sh"
install -m 755 "$REPO_ROOT"/scripts/guest/{scenario-lib,show-device}.sh \
    "$overlay/"
# Linux unpacks concatenated cpio archives: the scenario rides on top.
cp "$guest/initramfs.cpio" "$output"
(cd "$overlay" && find . | cpio -o -H newc --quiet) >>"$output"
