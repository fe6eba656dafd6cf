#!/usr/bin/env bash
# Fetches QEMU 10.0.x, Debian 13's source package, into the cache and prints
# the path of the unpacked tree. apt verifies the files against the signed
# archive index and dpkg-source -x checks them against the .dsc checksums.
# With QEMU_SRC set, that tree is used instead and nothing is fetched.
source "$(dirname "$0")/common.sh"

check_qemu_version() {
    local tree=$1 version
    [ -f "$tree/VERSION" ] || die "$tree is not a QEMU source tree (no VERSION file)"
    version=$(cat "$tree/VERSION")
    case "$version" in
    10.0.*) ;;
    *) die "$tree holds QEMU $version; nswitch-nic needs QEMU 10.0.x" ;;
    esac
}

fetch_source_package() {
    local tree
    mkdir -p "$QEMU_SOURCE_CACHE"
    cd "$QEMU_SOURCE_CACHE"
    tree=$(find . -maxdepth 1 -type d -name 'qemu-10.0*' | sort | tail -n 1)
    if [ -n "$tree" ] && [ -f "$tree/.nswitch-unpacked" ]; then
        echo "$QEMU_SOURCE_CACHE/${tree#./}"
        return
    fi
    log "fetching QEMU's source package from trixie into $QEMU_SOURCE_CACHE"
    rm -rf ./qemu-10.0*/
    apt-get source --download-only -qq qemu/trixie >&2 ||
        die "apt-get source qemu/trixie failed; run scripts/install-deps.sh first"
    local dsc
    dsc=$(ls qemu_10.0*.dsc | sort | tail -n 1)
    [ -n "$dsc" ] || die "no QEMU 10.0 .dsc downloaded"
    # Upstream QEMU as released: Debian's own patches are not applied.
    log "unpacking $dsc"
    dpkg-source --skip-patches -x "$dsc" >&2 || die "dpkg-source rejected $dsc"
    tree=$(find . -maxdepth 1 -type d -name 'qemu-10.0*' | sort | tail -n 1)
    check_qemu_version "$tree"
    touch "$tree/.nswitch-unpacked"
    echo "$QEMU_SOURCE_CACHE/${tree#./}"
}

if [ -n "${QEMU_SRC:-}" ]; then
    check_qemu_version "$QEMU_SRC"
    (cd "$QEMU_SRC" && pwd)
else
    fetch_source_package
fi
