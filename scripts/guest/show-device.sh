#!/bin/sh
# Demo scenario: what the guest sees of nswitch-nic.
echo
echo "== PCI functions (address vendor:device driver)"
for dev in /sys/bus/pci/devices/*; do
    driver=-
    [ -e "$dev/driver" ] && driver=$(basename "$(readlink "$dev/driver")")
    echo "  ${dev##*/} $(cat "$dev/vendor"):$(cat "$dev/device") $driver"
done
echo "== SR-IOV capable functions"
found=0
for dev in /sys/bus/pci/devices/*; do
    [ -e "$dev/sriov_totalvfs" ] || continue
    found=1
    echo "  ${dev##*/}: total VFs $(cat "$dev/sriov_totalvfs"), enabled $(cat "$dev/sriov_numvfs")"
done
[ "$found" = 1 ] || echo "  none yet"
echo "== network interfaces"
for net in /sys/class/net/*; do
    [ "${net##*/}" = lo ] && continue
    echo "  ${net##*/} mac $(cat "$net/address") on $(basename "$(readlink "$net/device")")"
done
echo
