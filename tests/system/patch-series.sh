#!/usr/bin/env bash
# The device in upstreamable form: scripts/export-patches.sh makes a git
# format-patch series against QEMU's source, checkpatch finds no error in
# it, git am applies it to a clean QEMU tree, and that tree builds and
# passes a qtest of the device. Built with the same configuration as the
# other builds and at the same depth in the cache (CCACHE_BASEDIR), so
# ccache serves most of it.
source "$(dirname "$0")/tap.bash"
source "$REPO_ROOT/scripts/common.sh"
set +e

mkdir -p "$NSWITCH_CACHE"
work=$(mktemp -d "$NSWITCH_CACHE/patch-series.XXXXXX")
[ -n "${KEEP_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
series=$work/series

"$REPO_ROOT/scripts/export-patches.sh" "$series" 2>"$work/export.log"
status=$?
sed 's/^/# /' "$work/export.log"
ok "export-patches.sh exports the series, and checkpatch finds no error" \
    test "$status" -eq 0
patches=$(ls "$series"/00*.patch 2>/dev/null | grep -v 0000-cover-letter)
ok "a cover letter and one patch per part: core, device, QMP/HMP, tests, docs" \
    test -f "$series/0000-cover-letter.patch" -a "$(wc -l <<<"$patches")" -ge 5
ok "the cover letter has its subject" \
    grep -q '^Subject: \[PATCH 0/[0-9]*\] nswitch-nic: ' "$series/0000-cover-letter.patch"
unsigned=$(grep -L '^Signed-off-by: ' $patches)
ok "every patch is signed off" test -z "$unsigned"

# A clean tree: QEMU's source as released, in git.
source_tree=$("$REPO_ROOT/scripts/fetch-qemu.sh")
cp -a "$source_tree" "$work/tree"
git -C "$work/tree" init -q
git -C "$work/tree" add -A
git -C "$work/tree" -c user.name=test -c user.email=test@invalid \
    commit -q -m "QEMU as released"
# shellcheck disable=SC2086
git -C "$work/tree" -c user.name=test -c user.email=test@invalid \
    am -q $patches >"$work/am.log" 2>&1
status=$?
sed 's/^/# git am: /' "$work/am.log"
ok "git am applies the series to a clean QEMU $QEMU_VERSION tree" \
    test "$status" -eq 0
ok "... as one commit per patch" \
    test "$(git -C "$work/tree" rev-list --count HEAD)" -eq $(($(wc -l <<<"$patches") + 1))

# Debian's source lacks the firmware; that fix is the build's, not the series'.
patch -d "$work/tree" -p1 --forward --quiet --no-backup-if-mismatch \
    <"$REPO_ROOT/scripts/qemu-hooks/debian-source.patch"
"$REPO_ROOT/scripts/build-qemu.sh" --tree "$work/tree" "$work/build" \
    >"$work/build.log" 2>&1
status=$?
tail -n 5 "$work/build.log" | sed 's/^/# build: /'
ok "the patched tree builds QEMU and the device's qtests" test "$status" -eq 0

help=$("$work/build/qemu-system-x86_64" -device nswitch-nic,help 2>&1)
ok "its QEMU has the device" contains "$help" "vfs="
QTEST_QEMU_BINARY=$work/build/qemu-system-x86_64 \
    "$work/build/tests/qtest/nswitch-multiport-test" >"$work/qtest.log" 2>&1
status=$?
ok "... and passes the multi-port qtest" test "$status" -eq 0

done_testing
