#!/usr/bin/env bash
# Exports nswitch-nic in upstreamable form: a git format-patch series
# against the QEMU source it builds on ($QEMU_VERSION's), one patch per
# logical part, with a cover letter, then runs that tree's checkpatch on
# every patch:
#   export-patches.sh [OUTDIR]          (default build/patches)
# OUTDIR gets the series (0000-cover-letter.patch, 0001-...) and
# checkpatch.log. The author and Signed-off-by are git's user.name and
# user.email (GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL override them).
#
# The parts: the switch core (no QOM), the device, QMP and HMP, the
# qtests, the docs; against 10.0, a first patch backports what 10.1 has
# upstream. The series applies with git am and builds as a whole
# (tests/system/patch-series.sh); scripts/qemu-hooks/debian-source.patch
# is a fix for Debian's firmware-stripped source and is not part of it.
source "$(dirname "$0")/common.sh"

out=${1:-$REPO_ROOT/build/patches}
use_qemu_version "$QEMU_VERSION"
source_tree=$("$REPO_ROOT/scripts/fetch-qemu.sh")
hooks=$REPO_ROOT/scripts/qemu-hooks
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$work/qemu

# What each part adds of ours (git pathspecs, from the repository root).
CORE_FILES=(
    include/hw/net/nswitch
    hw/net/nswitch/switch-internal.h
)
QMP_FILES=(
    qapi/nswitch.json
    include/hw/net/nswitch-hmp.h
    hw/net/nswitch/nswitch-admin.c
    hw/net/nswitch/nswitch-capture.c
    hw/net/nswitch/nswitch-capture.h
    hw/net/nswitch/nswitch-hmp.c
    hw/net/nswitch/nswitch-qmp.c
    hw/net/nswitch/nswitch-qmp.h
)
TEST_FILES=(tests/qtest)
# ... and which files of QEMU's own each part's hooks change.
DEVICE_HOOKS=(hw/Kconfig hw/net/meson.build meson.build hw/pci/pci.c
              hw/virtio/virtio.c include/hw/virtio/virtio.h
              hw/virtio/virtio-net-pci.c include/hw/virtio/virtio-net-pci.h)
QMP_HOOKS=(hmp-commands.hx hmp-commands-info.hx monitor/hmp-target.c
           qapi/meson.build qapi/qapi-schema.json)
TEST_HOOKS=(tests/qtest/meson.build)

# The core's files are the ones hw/net/nswitch/meson.build lists for it.
core_sources() {
    sed -n "/^nswitch_core_files = files(/,/^)/s/^ *'\([^']*\)',\$/hw\/net\/nswitch\/\1/p" \
        "$REPO_ROOT/hw/net/nswitch/meson.build"
}

# Our files, as build-qemu.sh copies them into a QEMU tree.
our_files() {
    git -C "$REPO_ROOT" ls-files --cached --others --exclude-standard -- \
        "${NSWITCH_QEMU_PATHS[@]}"
}

# hook_sections PATCH FILE...: the parts of PATCH that change FILEs.
hook_sections() {
    local patch=$1
    shift
    awk -v files=" $* " '
        /^diff / { keep = index(files, " " substr($NF, 3) " ") > 0 }
        keep' "$patch"
}

# add_files PATHSPEC...: copies those of our files into the tree.
add_files() {
    git -C "$REPO_ROOT" ls-files --cached --others --exclude-standard -- "$@" | while read -r path; do
        mkdir -p "$repo/$(dirname "$path")"
        cp "$REPO_ROOT/$path" "$repo/$path"
    done
}

# commit SUBJECT BODY: commits the tree as one patch, signed off.
commit() {
    git -C "$repo" add -A
    git -C "$repo" commit -q -s -m "$1" -m "$2"
}

# The base: QEMU's pristine versions of every file a part changes, so
# that the series' index lines name QEMU's own blobs and git am applies
# it to a full tree.
make_base() {
    local path
    mkdir -p "$repo"
    git -C "$repo" init -q
    for path in $(grep -h '^--- a/' "$hooks"/device.patch \
                      "$hooks/$QEMU_VERSION.patch" 2>/dev/null |
                      cut -c7- | sort -u) \
        MAINTAINERS docs/system/device-emulation.rst; do
        [ -f "$source_tree/$path" ] || continue
        mkdir -p "$repo/$(dirname "$path")"
        cp "$source_tree/$path" "$repo/$path"
    done
    git -C "$repo" add -A
    git -C "$repo" commit -q -m "QEMU $(cat "$source_tree/VERSION") as released"
}

apply_hooks() {
    local patch=$1
    shift
    hook_sections "$patch" "$@" | patch -d "$repo" -p1 --forward --quiet --no-backup-if-mismatch ||
        die "the hooks for $* do not apply to QEMU $QEMU_VERSION"
}

# Every file of ours must be in exactly one part.
check_parts_cover_our_files() {
    local missing
    missing=$(comm -23 <(our_files | sort) \
        <(git -C "$repo" ls-files | sort))
    [ -z "$missing" ] || die "no part of the series holds: $missing"
}

maintainers_entry() {
    cat <<'ENTRY'
nswitch-nic
M: nswitch-nic developers
S: Maintained
F: docs/system/devices/nswitch-nic.rst
F: hw/net/nswitch/
F: include/hw/net/nswitch*
F: qapi/nswitch.json
F: tests/qtest/nswitch*

ENTRY
}

# The MAINTAINERS entry goes after igb's, the other SR-IOV NIC.
add_maintainers_entry() {
    awk -v entry="$(maintainers_entry)" '
        { print }
        /^igb$/ { in_igb = 1 }
        in_igb && /^$/ { print entry; print ""; in_igb = 0 }' \
        "$repo/MAINTAINERS" >"$work/MAINTAINERS"
    mv "$work/MAINTAINERS" "$repo/MAINTAINERS"
    grep -qx nswitch-nic "$repo/MAINTAINERS" ||
        die "no igb entry in MAINTAINERS to put nswitch-nic's after"
}

add_docs() {
    mkdir -p "$repo/docs/system/devices"
    cp "$REPO_ROOT/docs/qemu/nswitch-nic.rst" \
        "$repo/docs/system/devices/nswitch-nic.rst"
    sed -i 's|^   devices/net.rst$|&\n   devices/nswitch-nic.rst|' \
        "$repo/docs/system/device-emulation.rst"
    grep -q 'devices/nswitch-nic.rst' "$repo/docs/system/device-emulation.rst" ||
        die "no devices/net.rst in docs/system/device-emulation.rst to add the page after"
}

cover_letter() {
    cat <<'COVER'
nswitch-nic: an SR-IOV NIC whose switch relays between its VFs

nswitch-nic emulates an SR-IOV network card: a virtio-net PF and up to
255 virtio-net VFs behind a real SR-IOV capability, which a stock Linux
guest drives with virtio_net, and a switch inside the card (the nSwitch
of Bardgett and Zou) whose OUI-keyed relay table hairpins VF-to-VF
frames without touching the uplink. Comparison modes run the same
workload through a VEB, VEPA reflective relay and a software switch;
a card may have several ports, which relay between each other inside
the card.

The switch core is plain C without QOM (patch 1), beside a thin device
(patch 2) in the manner of igb and igbvf. Patch 3 adds query-nswitch,
info nswitch and the VF policy, ACL, mirror and capture commands; patch
4 the qtests (configuration space, the datapath through the
virtqueues, policy, accounting, untrusted input, migration and its
malformed streams, hot-plug, a device fuzzer); patch 5 the docs.
COVER
}

main() {
    local patch_count
    make_base
    if [ -f "$hooks/$QEMU_VERSION.patch" ]; then
        patch -d "$repo" -p1 --forward --quiet --no-backup-if-mismatch <"$hooks/$QEMU_VERSION.patch"
        commit "virtio, virtio-net: exempt the ring arrays from auto-var-init" \
"Backport of what QEMU 10.1 does upstream (QEMU_UNINITIALIZED): the
per-request arrays of virtqueue_pop and of virtio-net's receive and
transmit paths are filled before they are read, and zeroing them costs
a measurable share of each frame with -ftrivial-auto-var-init=zero."
    fi

    add_files "${CORE_FILES[@]}" $(core_sources)
    commit "hw/net/nswitch: the switch of an SR-IOV NIC, as a core without QOM" \
"The in-card switch of nswitch-nic: the OUI-keyed relay table, the
forwarding decision for the nswitch, veb and vepa modes, VF policy
(MAC, VLAN, spoof check, trust, link, rate), the ACL, the mirror,
flooding, the relay between the ports of one card, and the counters by
port, path and drop reason. It knows nothing of QEMU's objects, so that
it builds and is unit-tested and fuzzed on its own as well."

    add_files hw/net/nswitch include/hw/net/nswitch-nic.h
    rm -f "${QMP_FILES[@]/#/$repo/}"
    apply_hooks "$hooks/device.patch" "${DEVICE_HOOKS[@]}"
    add_maintainers_entry
    commit "hw/net: add nswitch-nic, an SR-IOV NIC that switches between its VFs" \
"A virtio-net PF with an SR-IOV capability whose VFs are virtio-net
too, so that a stock guest drives every function with virtio_net. The
card's switch (the core of the previous patch) sits between the
functions and the uplink: unicast between functions of one OUI is
hairpinned inside the card. VFs, offloads, migration (VMState), reset
and FLR, hot-plug and cards of several ports are here. virtio-net-pci's
type moves to a header so that the PF and VF can extend it."

    add_files "${QMP_FILES[@]}"
    apply_hooks "$hooks/device.patch" "${QMP_HOOKS[@]}"
    commit "qapi, hmp: query-nswitch, info nswitch and nswitch-nic's management" \
"query-nswitch and info nswitch show each card: its ports and their
counters, frames by path, drops by reason and the relay table.
nswitch-vf-set sets a VF's policy as ip link set DEV vf N does on a
real NIC; the ACL, static relay entries, the mirror, the pcap capture
and the relay between ports have commands of their own."

    add_files "${TEST_FILES[@]}"
    apply_hooks "$hooks/device.patch" "${TEST_HOOKS[@]}"
    commit "tests/qtest: nswitch-nic tests" \
"The configuration space and SR-IOV fields, the datapath through the
virtqueues with the tests' own virtio-net driver, VF policy, the
accounting of every frame, untrusted input (rings, headers, control
queue, configuration space), migration and malformed streams, hot-plug,
cards of several ports, and a fuzzer of the device's guest interface."

    add_docs
    commit "docs/system: nswitch-nic" \
"How to start the card, its properties and how it is managed."

    check_parts_cover_our_files
    rm -rf "$out"
    mkdir -p "$out"
    git -C "$repo" format-patch -q --cover-letter -o "$out" \
        "$(git -C "$repo" rev-list --max-parents=0 HEAD)"
    fill_cover_letter "$out"/0000-cover-letter.patch
    patch_count=$(ls "$out"/0*.patch | wc -l)
    log "exported $((patch_count - 1)) patches and a cover letter to $out"
    run_checkpatch
}

fill_cover_letter() {
    local letter=$1 subject body
    subject=$(cover_letter | head -n 1)
    body=$(cover_letter | tail -n +3)
    SUBJECT=$subject BODY=$body python3 - "$letter" <<'PY'
import os, sys
path = sys.argv[1]
text = open(path).read()
text = text.replace("*** SUBJECT HERE ***", os.environ["SUBJECT"])
text = text.replace("*** BLURB HERE ***", os.environ["BODY"])
open(path, "w").write(text)
PY
}

# checkpatch.log gets each patch's report; the last line of each is its
# "total: N errors, M warnings".
run_checkpatch() {
    local patch errors=0
    : >"$out/checkpatch.log"
    for patch in "$out"/0*.patch; do
        [ "$(basename "$patch")" = 0000-cover-letter.patch ] && continue
        {
            echo "== $(basename "$patch")"
            perl "$source_tree/scripts/checkpatch.pl" --no-tree "$patch" || true
        } >>"$out/checkpatch.log" 2>&1
    done
    grep -E '^(== |total: )' "$out/checkpatch.log" | paste - - |
        sed 's/^== //' >&2
    errors=$(grep -c '^ERROR' "$out/checkpatch.log" || true)
    [ "$errors" -eq 0 ] || die "checkpatch found $errors errors; see $out/checkpatch.log"
}

main "$@"
