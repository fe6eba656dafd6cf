#!/usr/bin/env bash
# Builds the test guest from Debian packages, offline from the mirror the
# machine already uses: a Debian kernel (linux-image-amd64's dependency)
# and busybox-static, in an initramfs with just the modules the tests
# load. Prints the directory holding vmlinuz and initramfs.cpio.
# GUEST_KERNEL chooses the kernel: 6.1 (bookworm's, the default) or 6.12
# (trixie's). Cached in $NSWITCH_CACHE/guest/<kernel version>/.
source "$(dirname "$0")/common.sh"

GUEST_KERNEL=${GUEST_KERNEL:-6.1}
case "$GUEST_KERNEL" in
6.1) KERNEL_SUITE= ;;
6.12) KERNEL_SUITE=/trixie ;;
*) die "GUEST_KERNEL=$GUEST_KERNEL: choose 6.1 (bookworm) or 6.12 (trixie)" ;;
esac

GUEST_MODULES=(virtio_pci virtio_net pktgen igb igbvf)
# Userland beyond busybox, with the shared libraries it needs; the
# benchmark measures TCP with iperf3.
GUEST_PACKAGES=(iperf3 libiperf0 libsctp1 libssl3)
GUEST_PROGRAMS=(usr/bin/iperf3)
INIT=$REPO_ROOT/scripts/guest/init

kernel_package() {
    apt-cache depends "linux-image-amd64$KERNEL_SUITE" |
        awk -v want="linux-image-$GUEST_KERNEL." \
            '/Depends: linux-image-[0-9]/ && index($2, want) == 1 { print $2; exit }'
}

# install_programs DEBS_DIR SCRATCH ROOT: GUEST_PROGRAMS from GUEST_PACKAGES
# (downloaded once into DEBS_DIR) into ROOT, with every library the
# dynamic loader resolves for them, from the packages or from this
# bookworm host (libc).
install_programs() {
    local debs=$1 scratch=$2 root=$3 deb program library
    mkdir -p "$debs"
    for deb in "${GUEST_PACKAGES[@]}"; do
        ls "$debs/${deb}_"*.deb >/dev/null 2>&1 ||
            (cd "$debs" && apt-get download -q "$deb" >&2 2>/dev/null) ||
            die "apt-get download $deb failed"
        dpkg-deb -x "$debs/${deb}_"*.deb "$scratch"
    done
    for program in "${GUEST_PROGRAMS[@]}"; do
        install -D -m 755 "$scratch/$program" "$root/$program"
        LD_LIBRARY_PATH=$scratch/usr/lib/x86_64-linux-gnu:$scratch/lib/x86_64-linux-gnu \
            ldd "$scratch/$program" |
            awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
            while read -r library; do
                install -D -m 755 "$(readlink -f "$library")" \
                    "$root/${library#"$scratch"}"
            done
    done
}

main() {
    local package version out stamp
    package=$(kernel_package)
    [ -n "$package" ] ||
        die "apt knows no linux-image-amd64$KERNEL_SUITE of kernel $GUEST_KERNEL; run scripts/install-deps.sh"
    version=${package#linux-image-}
    out=$NSWITCH_CACHE/guest/$version
    stamp=$( (cat "$INIT" /bin/busybox "$0"; echo "${GUEST_MODULES[*]}") | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
        echo "$out"
        return
    fi
    log "building the test guest (kernel $version) in $out"
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
    local work=$WORK
    mkdir -p "$out"
    if ! ls "$out"/"$package"_*.deb >/dev/null 2>&1; then
        (cd "$out" && apt-get download -q "$package" >&2 2>/dev/null) ||
            die "apt-get download $package failed"
    fi
    dpkg-deb -x "$out"/"$package"_*.deb "$work/kernel"
    cp "$work/kernel/boot/vmlinuz-$version" "$out/vmlinuz"
    # trixie's kernel keeps its modules under /usr (merged /usr).
    if [ -d "$work/kernel/usr/lib/modules" ] && [ ! -d "$work/kernel/lib/modules" ]; then
        mkdir -p "$work/kernel/lib"
        mv "$work/kernel/usr/lib/modules" "$work/kernel/lib/modules"
    fi
    # The package leaves modules.dep to its postinst.
    depmod -b "$work/kernel" "$version"

    local root=$work/initramfs module path
    mkdir -p "$root/bin" "$root/lib/modules/$version"
    cp /bin/busybox "$root/bin/busybox"
    install -m 755 "$INIT" "$root/init"
    for module in "${GUEST_MODULES[@]}"; do
        modprobe -d "$work/kernel" -S "$version" --show-depends "$module" |
            awk '$1 == "insmod" { print $2 }' | while read -r path; do
            mkdir -p "$root/$(dirname "${path#"$work/kernel"}")"
            cp "$path" "$root/${path#"$work/kernel"}"
        done
    done
    # trixie compresses its modules; busybox's modprobe loads them plain.
    find "$root/lib/modules" -name '*.ko.xz' -exec xz -d {} +
    cp "$work/kernel/lib/modules/$version"/modules.{order,builtin,builtin.modinfo} \
        "$root/lib/modules/$version/"
    install_programs "$out/packages" "$work/userland" "$root"
    depmod -b "$root" "$version"
    (cd "$root" && find . | cpio -o -H newc --quiet) >"$out/initramfs.cpio"
    echo "$stamp" >"$out/.stamp"
    echo "$out"
}

main "$@"
