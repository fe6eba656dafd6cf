#!/bin/sh
# Guest side of guest-offloads.sh: TCP between two VFs of one card
# (virtio-net offloads cross the switch), and between VFs of two cards
# whose uplinks meet on a QEMU hub without vnet headers.
. /scenario-lib.sh

card_a=$(sriov_pfs | sed -n 1p)
card_b=$(sriov_pfs | sed -n 2p)
enable_vfs_in_namespaces 2 "$card_a" 1 || exit 1
enable_vfs_in_namespaces 1 "$card_b" 3 || exit 1
dd if=/dev/urandom of=/tmp/data bs=64k count=32 2>/dev/null

echo "IN-CARD $(tcp_copy 1 2 5001 /tmp/data | tr '\n' ' ')"
echo "ACROSS-UPLINKS $(tcp_copy 1 3 5002 /tmp/data | tr '\n' ' ')"
host_qmp query-nswitch || exit 1
