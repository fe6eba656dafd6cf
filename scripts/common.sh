# shellcheck shell=bash
# Shared settings for the nswitch-nic scripts; sourced, never run.
#
# Everything downloaded or built lives outside the clone, in one cache
# directory that several clones (and CI) share:
#   NSWITCH_CACHE  default ~/.cache/nswitch-nic
#     qemu-source/   QEMU source packages as fetched by apt-get source
#     qemu-V/tree/   build copy of QEMU V's tree with our files and hooks
#     qemu-V/build/  its build directory
#     qemu-V/build-asan/  the same with ASan and UBSan
#     ccache/        compiler cache (CCACHE_DIR)
# QEMU_VERSION=10.2|10.0  the QEMU release the default build uses (10.2);
#   the other one is built too, as the compatibility build.
# QEMU_SRC=/path/to/qemu  use that tree for QEMU_VERSION instead of the
#   source package.

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NSWITCH_CACHE=${NSWITCH_CACHE:-$HOME/.cache/nswitch-nic}
QEMU_SOURCE_CACHE=$NSWITCH_CACHE/qemu-source

# The QEMU releases the device builds against, newest first: the newest
# is the default. 11.1 is not among them: this machine's mirror lists its
# source package but serves none of its files (docs/development.md).
QEMU_VERSIONS=(10.2 10.0)
QEMU_VERSION=${QEMU_VERSION:-${QEMU_VERSIONS[0]}}
# The other supported release, built and tested beside the default.
for QEMU_COMPAT_VERSION in "${QEMU_VERSIONS[@]}"; do
    [ "$QEMU_COMPAT_VERSION" != "$QEMU_VERSION" ] && break
done
# Our files, as they sit in a QEMU tree (build-qemu.sh copies them in,
# export-patches.sh exports them).
NSWITCH_QEMU_PATHS=(hw/net/nswitch include/hw/net qapi/nswitch.json tests/qtest)
# Suites of deb-src lines install-deps.sh adds for the newer releases.
QEMU_SOURCE_SUITES="trixie-backports sid"

# qemu_suite VERSION: the Debian suite whose source package is that QEMU.
qemu_suite() {
    case "$1" in
    10.0) echo trixie ;;
    10.2) echo sid ;;
    *) return 1 ;;
    esac
}

# use_qemu_version VERSION: points QEMU_TREE, QEMU_BUILD and
# QEMU_BUILD_SANITIZERS at that release's cache.
use_qemu_version() {
    qemu_suite "$1" >/dev/null ||
        die "QEMU_VERSION=$1 is not supported; choose one of ${QEMU_VERSIONS[*]}"
    QEMU_TREE=$NSWITCH_CACHE/qemu-$1/tree
    QEMU_BUILD=$NSWITCH_CACHE/qemu-$1/build
    QEMU_BUILD_SANITIZERS=$NSWITCH_CACHE/qemu-$1/build-asan
}
export CCACHE_DIR=${CCACHE_DIR:-$NSWITCH_CACHE/ccache}
# Two builds of one source, each laid out as DIR/tree beside DIR/build
# with DIR in the cache, share their objects: QEMU's absolute -I paths
# into the cache become relative (CCACHE_BASEDIR) and the build directory
# is not hashed (their debug information names the first build's).
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$NSWITCH_CACHE}
export CCACHE_NOHASHDIR=true

# Debian's python3; a pyenv interpreter earlier in PATH cannot see the
# Debian meson that QEMU's configure must use.
SYSTEM_PYTHON=/usr/bin/python3

log() {
    printf '==> %s\n' "$*" >&2
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}
