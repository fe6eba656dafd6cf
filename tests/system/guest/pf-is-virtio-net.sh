#!/bin/sh
# Guest side of guest-pf.sh: prints what the host script checks.
for dev in /sys/bus/pci/devices/*; do
    [ "$(cat "$dev/device")" = 0x1041 ] || continue
    echo "PF ${dev##*/} driver $(basename "$(readlink "$dev/driver")")"
    for net in "$dev"/virtio*/net/*; do
        echo "PF-NET ${net##*/} $(cat "$net/address")"
        ip link set "${net##*/}" up && echo "PF-UP ${net##*/}"
    done
done
