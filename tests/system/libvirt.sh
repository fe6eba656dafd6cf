#!/usr/bin/env bash
# The domains of docs/libvirt.md under a real libvirt 9.0 without a
# system daemon (the embedded QEMU driver, TCG): they validate, start our
# QEMU with the card, the guest enables its VFs, and virsh reads
# query-nswitch and sets a VF's policy through qemu-monitor-command.
source "$(dirname "$0")/tap.bash"

needs_root "its embedded libvirt runs QEMU as user root"

# Short: libvirt's monitor sockets live under the root.
work=$(mktemp -d /tmp/nswitch-libvirt.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/guest" "$work/root/etc"
guest=$("$REPO_ROOT/scripts/build-guest.sh")
cp "$guest/vmlinuz" "$work/guest/"
"$REPO_ROOT/scripts/guest-initramfs.sh" \
    "$REPO_ROOT/tests/system/guest/libvirt-vfs.sh" "$work/guest/initramfs.cpio"
# As root and without libvirtd or virtlogd (see docs/libvirt.md).
cat >"$work/root/etc/qemu.conf" <<'CONF'
user = "root"
group = "root"
security_driver = "none"
namespaces = []
stdio_handler = "file"
CONF

# domain_xml N: the N-th XML block of docs/libvirt.md, paths filled in.
domain_xml() {
    awk -v want="$1" '
        /^```xml$/ { n++; inside = (n == want); next }
        /^```$/ { inside = 0 }
        inside' "$REPO_ROOT/docs/libvirt.md" |
        sed -e "s|/path/to/nswitch-nic|$REPO_ROOT|" \
            -e "s|/path/to/nswitch-guest|$work/guest|"
}

hairpinned() {
    grep -oE '"hairpinned": ?[0-9]+' "$1" | tail -n 1 | grep -oE '[0-9]+$'
}

# session NAME XML DEVICE: one virsh session (the embedded driver's guests
# live as long as virsh) that creates the domain, polls query-nswitch
# until the guest's VFs are up and have pinged each other, sets VF 1's
# policy, shows "info nswitch" and destroys the domain. Output in
# $work/NAME.out.
session() {
    local name=$1 xml=$2 device=$3 out=$work/$1.out
    : >"$out"
    {
        echo "create $xml"
        for _ in $(seq 120); do
            sleep 3
            echo "qemu-monitor-command $name '{\"execute\": \"query-nswitch\"}'"
            if grep -q '"enabled-vfs": \?4' "$out" &&
                [ "$(hairpinned "$out")" -ge 24 ] 2>/dev/null; then
                break
            fi
        done
        echo "qemu-monitor-command $name '{\"execute\": \"nswitch-vf-set\"," \
            "\"arguments\": {\"device\": \"$device\", \"vf\": 1," \
            "\"vlan\": 10, \"trust\": true}}'"
        echo "qemu-monitor-command $name --hmp 'info nswitch'"
        echo "destroy $name"
        echo "quit"
    } | timeout 480 stdbuf -oL virsh -c "qemu:///embed?root=$work/root" \
        >"$out" 2>&1
}

domain_xml 1 >"$work/commandline.xml"
domain_xml 2 >"$work/interface.xml"
ok "docs/libvirt.md has the command-line domain" \
    grep -q "<emulator>$REPO_ROOT/build/qemu/qemu-system-x86_64</emulator>" \
    "$work/commandline.xml"
ok "virt-xml-validate accepts the command-line domain" \
    virt-xml-validate "$work/commandline.xml" domain
ok "virt-xml-validate accepts the interface domain" \
    virt-xml-validate "$work/interface.xml" domain

session nswitch-guest "$work/commandline.xml" nsw0
out=$(cat "$work/nswitch-guest.out")
grep -E '^(PING|NSWITCH)' "$work/guest/console.log" | sed 's/^/# guest: /'
ok "libvirt starts the command-line domain" \
    contains "$out" "Domain 'nswitch-guest' created"
ok "virsh reads query-nswitch: the guest enabled 4 VFs" \
    grep -qE '"enabled-vfs": ?4' <<<"$out"
ok "... and its VFs' pings were hairpinned in the card" \
    test "$(hairpinned "$work/nswitch-guest.out")" -ge 24
ok "virsh sets VF 1's policy with nswitch-vf-set" \
    contains "$out" "vf1 policy: vlan 10 qos 0, trusted"
ok "the card's relay table lists the 4 VFs" \
    contains "$out" "02:6e:00:00:00:04 -> port 5 (group 02:6e:00)"
ok "the domain is destroyed at the end" \
    contains "$out" "Domain 'nswitch-guest' destroyed"

session nswitch-interface "$work/interface.xml" ua-nsw0
out=$(cat "$work/nswitch-interface.out")
grep -E '^(PING|NSWITCH)' "$work/guest/interface-console.log" |
    sed 's/^/# guest: /'
ok "libvirt starts the interface domain" \
    contains "$out" "Domain 'nswitch-interface' created"
ok "libvirt passed model nswitch-nic through, with vfs=4 from qemu:override" \
    grep -qE '"enabled-vfs": ?4' <<<"$out"
ok "the PF has libvirt's MAC" grep -qE '"mac": ?"52:54:00:' <<<"$out"
ok "virsh sets VF 1's policy on device ua-nsw0" \
    contains "$out" "vf1 policy: vlan 10 qos 0, trusted"

done_testing
