#!/usr/bin/env bash
# Builds QEMU $QEMU_VERSION for x86_64 with nswitch-nic in it and leaves
# build/qemu/qemu-system-x86_64 in the clone (a link into the cache).
#   build-qemu.sh [--sanitizers | --compat | --tree TREE BUILD]
# With --sanitizers, the same tree is built with ASan and UBSan (every
# report fatal) in a build directory of its own, linked as build/qemu-asan.
# With --compat, the other supported release ($QEMU_COMPAT_VERSION) is
# built, linked as build/qemu-compat. With --tree, a QEMU tree that
# already holds the device (as the patch-series test makes one) is
# configured and built as the others, in BUILD, and linked nowhere.
#
# The tree in $QEMU_TREE is a copy of the QEMU source with the hook
# patches applied (scripts/qemu-hooks/: debian-source.patch, device.patch,
# then the release's own VERSION.patch if there is one); our files are
# synchronised into it on every run (only changed files are rewritten, so
# ninja rebuilds only what changed).
source "$(dirname "$0")/common.sh"

HOOKS_DIR=$REPO_ROOT/scripts/qemu-hooks
# ccache serves every build of a tree laid out as tree/ beside build/ in
# the cache (common.sh: CCACHE_BASEDIR, CCACHE_NOHASHDIR), including the
# patch-series test's.
CONFIGURE_ARGS=(
    --cc="ccache cc"
    --python="$SYSTEM_PYTHON"
    --target-list=x86_64-softmmu
    --without-default-features
    --enable-tcg --enable-kvm --enable-slirp
    --enable-vhost-kernel --enable-vhost-net
    --disable-fdt --disable-docs
    --disable-download --disable-install-blobs
    --enable-werror
)
SANITIZER_ARGS=(
    --enable-asan --enable-ubsan
    --extra-cflags=-fno-sanitize-recover=undefined
)
QEMU_TARGETS=(qemu-system-x86_64)
for test in "$REPO_ROOT"/tests/qtest/nswitch-*-test.c; do
    QEMU_TARGETS+=("tests/qtest/$(basename "$test" .c)")
done

stamp_of() {
    printf '%s\n' "$@" | sha256sum | cut -d' ' -f1
}

# The hook patches for $version, in the order they apply: the build fix
# for Debian's firmware-stripped source, the device's hooks, and what
# this release alone needs.
hook_patches() {
    echo "$HOOKS_DIR/debian-source.patch"
    echo "$HOOKS_DIR/device.patch"
    [ ! -f "$HOOKS_DIR/$version.patch" ] || echo "$HOOKS_DIR/$version.patch"
}

# A fresh copy of the pristine tree whenever the source or a patch changes.
prepare_tree() {
    local source=$1 stamp hook
    # By content and name, not path: every clone shares the tree.
    stamp=$(stamp_of "$source" $(hook_patches | xargs -n1 basename) \
        "$(hook_patches | xargs cat | sha256sum)")
    if [ "$(cat "$QEMU_TREE/.nswitch-tree" 2>/dev/null)" = "$stamp" ]; then
        return
    fi
    log "copying $source to $QEMU_TREE and applying the hook patches"
    # Every build of the old tree goes with it.
    rm -rf "$QEMU_TREE" "$(dirname "$QEMU_TREE")"/build*
    mkdir -p "$(dirname "$QEMU_TREE")"
    cp -a "$source" "$QEMU_TREE"
    for hook in $(hook_patches); do
        if ! patch -d "$QEMU_TREE" -p1 --dry-run --forward --quiet <"$hook"; then
            rm -rf "$QEMU_TREE"
            die "${hook#"$REPO_ROOT"/} does not apply to $source (QEMU $version)"
        fi
        patch -d "$QEMU_TREE" -p1 --forward --quiet --no-backup-if-mismatch <"$hook"
    done
    echo "$stamp" >"$QEMU_TREE/.nswitch-tree"
}

# Copies our files in; files we deleted since the last run go away too.
sync_our_files() {
    local manifest=$QEMU_TREE/.nswitch-files new_manifest path
    new_manifest=$(mktemp)
    git -C "$REPO_ROOT" ls-files --cached --others --exclude-standard \
        -- "${NSWITCH_QEMU_PATHS[@]}" | sort -u >"$new_manifest"
    if [ -f "$manifest" ]; then
        comm -23 "$manifest" "$new_manifest" | while read -r path; do
            rm -f "$QEMU_TREE/$path"
        done
    fi
    rsync -c --files-from="$new_manifest" "$REPO_ROOT" "$QEMU_TREE"
    mv "$new_manifest" "$manifest"
}

configure_build() {
    local stamp
    stamp=$(stamp_of "${CONFIGURE_ARGS[@]}")
    if [ -f "$QEMU_BUILD/build.ninja" ] &&
        [ "$(cat "$QEMU_BUILD/.nswitch-configure" 2>/dev/null)" = "$stamp" ]; then
        return
    fi
    log "configuring QEMU in $QEMU_BUILD"
    rm -rf "$QEMU_BUILD"
    mkdir -p "$QEMU_BUILD"
    (cd "$QEMU_BUILD" && "$QEMU_TREE/configure" "${CONFIGURE_ARGS[@]}" >configure.log 2>&1) ||
        die "QEMU configure failed; see $QEMU_BUILD/configure.log"
    echo "$stamp" >"$QEMU_BUILD/.nswitch-configure"
}

# The Debian source ships no firmware blobs: take Debian's packaged ones.
link_firmware() {
    local datadir=$QEMU_BUILD/qemu-bundle/usr/local/share/qemu blob
    mkdir -p "$datadir"
    for blob in /usr/share/seabios/*.bin /usr/lib/ipxe/qemu/*.rom \
        /usr/share/qemu/*.bin /usr/share/qemu/*.rom; do
        [ -e "$blob" ] || continue
        [ -e "$datadir/$(basename "$blob")" ] || ln -s "$blob" "$datadir/"
    done
}

build_targets() {
    log "building QEMU in $QEMU_BUILD: ${QEMU_TARGETS[*]}"
    ninja -C "$QEMU_BUILD" "${QEMU_TARGETS[@]}" >"$QEMU_BUILD/ninja.log" 2>&1 || {
        grep -E -A5 '^FAILED|error:' "$QEMU_BUILD/ninja.log" | cut -c1-300 | head -40 >&2
        die "QEMU build failed; see $QEMU_BUILD/ninja.log"
    }
    link_firmware
}

main() {
    local source link_dir=build/qemu
    version=$QEMU_VERSION
    case "${1:-}" in
    --compat)
        version=$QEMU_COMPAT_VERSION
        link_dir=build/qemu-compat
        ;;
    --tree)
        [ $# -eq 3 ] || die "usage: build-qemu.sh --tree TREE BUILD"
        QEMU_TREE=$(cd "$2" && pwd)
        QEMU_BUILD=$3
        configure_build
        build_targets
        return
        ;;
    esac
    use_qemu_version "$version"
    if [ "${1:-}" = --sanitizers ]; then
        QEMU_BUILD=$QEMU_BUILD_SANITIZERS
        CONFIGURE_ARGS+=("${SANITIZER_ARGS[@]}")
        link_dir=build/qemu-asan
    fi
    source=$("$REPO_ROOT/scripts/fetch-qemu.sh" "$version")
    prepare_tree "$source"
    sync_our_files
    configure_build
    build_targets
    mkdir -p "$REPO_ROOT/$link_dir"
    ln -sfn "$QEMU_BUILD/qemu-system-x86_64" "$REPO_ROOT/$link_dir/qemu-system-x86_64"
    ln -sfn "$QEMU_BUILD/tests/qtest" "$REPO_ROOT/$link_dir/qtest"
    log "built $REPO_ROOT/$link_dir/qemu-system-x86_64 (QEMU $version)"
}

main "$@"
