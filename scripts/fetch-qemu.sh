#!/usr/bin/env bash
# Fetches QEMU's source package for one supported release into the cache
# and prints the path of the unpacked tree:
#   fetch-qemu.sh [VERSION]      (default: $QEMU_VERSION)
# 10.0.x is Debian 13's (trixie), 10.2.x sid's. apt verifies the files
# against the signed archive index and dpkg-source -x checks them against
# the .dsc checksums. With QEMU_SRC set, that tree is used for
# $QEMU_VERSION instead and nothing is fetched.
source "$(dirname "$0")/common.sh"

version=${1:-$QEMU_VERSION}
suite=$(qemu_suite "$version") ||
    die "QEMU $version is not supported; choose one of ${QEMU_VERSIONS[*]}"

check_qemu_version() {
    local tree=$1 found
    [ -f "$tree/VERSION" ] || die "$tree is not a QEMU source tree (no VERSION file)"
    found=$(cat "$tree/VERSION")
    case "$found" in
    "$version".*) ;;
    *) die "$tree holds QEMU $found; QEMU_VERSION=$version needs QEMU $version.x" ;;
    esac
}

# The newest Debian version of the qemu source package in $suite's index
# that is QEMU $version.x (a suite may list several releases).
package_version() {
    apt-get indextargets --format '$(FILENAME)' 'Created-By: Sources' \
        "Release: $suite" 2>/dev/null |
        while read -r index; do
            /usr/lib/apt/apt-helper cat-file "$index"
        done |
        awk -v want="$version" '
            BEGIN { RS = ""; FS = "\n" }
            $1 == "Package: qemu" {
                for (i = 2; i <= NF; i++)
                    if ($i ~ /^Version: /) {
                        v = substr($i, 10); u = v
                        sub(/^[0-9]+:/, "", u)
                        if (index(u, want ".") == 1) print v
                    }
            }' |
        sort -V | tail -n 1
}

fetch_source_package() {
    local tree package dsc
    mkdir -p "$QEMU_SOURCE_CACHE"
    cd "$QEMU_SOURCE_CACHE"
    tree=$(find . -maxdepth 1 -type d -name "qemu-$version.*" | sort -V | tail -n 1)
    if [ -n "$tree" ] && [ -f "$tree/.nswitch-unpacked" ]; then
        echo "$QEMU_SOURCE_CACHE/${tree#./}"
        return
    fi
    package=$(package_version)
    [ -n "$package" ] ||
        die "no QEMU $version source package in $suite's index; run scripts/install-deps.sh first"
    log "fetching QEMU's source package $package from $suite into $QEMU_SOURCE_CACHE"
    rm -rf ./qemu-"$version".*/
    apt-get source --download-only -qq "qemu=$package" >&2 ||
        die "apt-get source qemu=$package failed; run scripts/install-deps.sh first"
    dsc=qemu_${package#*:}.dsc
    [ -f "$dsc" ] || die "apt-get source left no $dsc"
    # Upstream QEMU as released: Debian's own patches are not applied.
    log "unpacking $dsc"
    dpkg-source --skip-patches -x "$dsc" >&2 || die "dpkg-source rejected $dsc"
    tree=$(find . -maxdepth 1 -type d -name "qemu-$version.*" | sort -V | tail -n 1)
    [ -n "$tree" ] || die "$dsc unpacked no qemu-$version.* tree"
    check_qemu_version "$tree"
    touch "$tree/.nswitch-unpacked"
    echo "$QEMU_SOURCE_CACHE/${tree#./}"
}

if [ -n "${QEMU_SRC:-}" ] && [ "$version" = "$QEMU_VERSION" ]; then
    check_qemu_version "$QEMU_SRC"
    (cd "$QEMU_SRC" && pwd)
else
    fetch_source_package
fi
