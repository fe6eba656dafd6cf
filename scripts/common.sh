# shellcheck shell=bash
# Shared settings for the nswitch-nic scripts; sourced, never run.
#
# Everything downloaded or built lives outside the clone, in one cache
# directory that several clones (and CI) share:
#   NSWITCH_CACHE  default ~/.cache/nswitch-nic
#     qemu-source/   QEMU 10.0 source package as fetched by apt-get source
#     qemu-tree/     build copy of that tree with our files and hook patch
#     qemu-build/    QEMU build directory
#     qemu-build-asan/  the same with ASan and UBSan
#     ccache/        compiler cache (CCACHE_DIR)
# QEMU_SRC=/path/to/qemu-10.0  use that tree instead of the source package.

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NSWITCH_CACHE=${NSWITCH_CACHE:-$HOME/.cache/nswitch-nic}
QEMU_SOURCE_CACHE=$NSWITCH_CACHE/qemu-source
QEMU_TREE=$NSWITCH_CACHE/qemu-tree
QEMU_BUILD=$NSWITCH_CACHE/qemu-build
QEMU_BUILD_SANITIZERS=$NSWITCH_CACHE/qemu-build-asan
export CCACHE_DIR=${CCACHE_DIR:-$NSWITCH_CACHE/ccache}

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
