#!/usr/bin/env bash
# Installs the Debian packages nswitch-nic needs on Debian 12 (bookworm).
#
# meson >= 1.5 (QEMU 10.0 needs it), python3-pycotap and QEMU 10.0's source
# package come from Debian 13 (trixie); newer QEMU source packages from the
# suites in QEMU_SOURCE_SUITES (scripts/common.sh). The trixie source
# reuses the mirror this machine already uses for bookworm, and is pinned
# low so that nothing else is ever upgraded from it. Safe to run again: it does nothing when all
# is in place.
source "$(dirname "$0")/common.sh"

TRIXIE_SOURCES=/etc/apt/sources.list.d/nswitch-nic-trixie.sources
TRIXIE_PIN=/etc/apt/preferences.d/nswitch-nic-trixie

BOOKWORM_PACKAGES=(
    build-essential pkg-config ninja-build ccache patch rsync
    clang libclang-rt-14-dev
    python3 python3-venv dpkg-dev
    libglib2.0-dev libslirp-dev libcmocka-dev
    seabios ipxe-qemu qemu-system-data
    device-tree-compiler openvswitch-switch
    busybox-static cpio kmod xz-utils iproute2 gnuplot-nox tcpdump
    libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu libxml2-utils
)
TRIXIE_PACKAGES=(meson python3-pycotap)
MIN_MESON=1.5

# Prints the mirror URI that serves the bookworm suite, read from the
# machine's deb822 .sources files or one-line sources.list entries.
bookworm_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] || continue
        awk '
            BEGIN { RS = ""; FS = "\n" }
            {
                uris = ""; suites = ""; enabled = 1
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
                    if ($i ~ /^Suites:/) { suites = " " $i " "; sub(/^ Suites:/, "", suites) }
                    if ($i ~ /^Enabled:[ \t]*no/) enabled = 0
                }
                if (enabled && suites ~ /[ \t]bookworm[ \t]/) {
                    split(uris, u, /[ \t]+/); print u[1]; exit
                }
            }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -e "$f" ] || continue
        awk '$1 == "deb" {
                 i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++
                 if ($i ~ /^\[/ || $i ~ /\]$/) i++
                 if ($(i + 1) == "bookworm") { print $i; exit }
             }' "$f"
    done
}

packages_missing() {
    local p
    for p in "${BOOKWORM_PACKAGES[@]}" "${TRIXIE_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
            grep -q '^install ok installed$' || return 0
    done
    local have
    have=$(dpkg-query -W -f='${Version}' meson)
    dpkg --compare-versions "$have" ge "$MIN_MESON" || return 0
    return 1
}

# The sources file this machine should have: trixie's packages and
# sources, and the source packages of newer QEMU releases (deb-src only:
# nothing is ever installed from those suites).
trixie_sources() {
    local mirror
    mirror=$(bookworm_mirror | head -n 1)
    [ -n "$mirror" ] ||
        die "no apt source for bookworm found in /etc/apt; cannot derive a mirror for trixie"
    cat <<SOURCES
# Added by nswitch-nic scripts/install-deps.sh: meson, pycotap and QEMU's
# source packages. trixie is pinned low in $TRIXIE_PIN.
Types: deb deb-src
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: $mirror
Suites: $QEMU_SOURCE_SUITES
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
}

# Returns 0 when it had to write the sources or the pin.
add_trixie_source() {
    local wanted
    wanted=$(trixie_sources)
    if [ "$(cat "$TRIXIE_SOURCES" 2>/dev/null)" = "$wanted" ] && [ -e "$TRIXIE_PIN" ]; then
        return 1
    fi
    log "adding trixie (deb, deb-src) and $QEMU_SOURCE_SUITES (deb-src) from the machine's bookworm mirror"
    printf '%s\n' "$wanted" | as_root tee "$TRIXIE_SOURCES" >/dev/null
    as_root tee "$TRIXIE_PIN" >/dev/null <<'PIN'
# Never take a package from trixie unless asked for by name (pkg/trixie).
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
}

# libvirt's QEMU driver resolves its default user before it reads its
# configuration; Debian creates the account with libvirt-daemon-system,
# whose daemons (and systemd upgrade) the tests do not need.
add_libvirt_qemu_account() {
    getent group libvirt-qemu >/dev/null ||
        as_root groupadd --system libvirt-qemu
    getent passwd libvirt-qemu >/dev/null ||
        as_root useradd --system --gid libvirt-qemu --no-create-home \
            --home-dir /nonexistent --shell /usr/sbin/nologin libvirt-qemu
}

main() {
    local need_update=0
    add_libvirt_qemu_account
    if add_trixie_source; then
        need_update=1
    fi
    # deb-src lists of every QEMU suite are needed by fetch-qemu.sh as well.
    local suite
    for suite in trixie $QEMU_SOURCE_SUITES; do
        ls /var/lib/apt/lists/*_dists_"${suite}"_main_source_Sources* >/dev/null 2>&1 ||
            need_update=1
    done
    if ! packages_missing && [ "$need_update" -eq 0 ]; then
        log "Debian packages already installed"
        return
    fi
    log "apt-get update"
    as_root apt-get update -qq
    if packages_missing; then
        local trixie_args=() p
        for p in "${TRIXIE_PACKAGES[@]}"; do
            trixie_args+=("$p/trixie")
        done
        log "installing packages"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${BOOKWORM_PACKAGES[@]}" "${trixie_args[@]}"
    fi
}

main "$@"
