#!/bin/sh
# Guest side of libvirt.sh: enables the card's 4 VFs, each in its own
# network namespace, pings every pair, then idles until libvirt destroys
# the domain (the host watches query-nswitch, not this console).
. /scenario-lib.sh

enable_vfs_in_namespaces 4 || exit 1
ping_all_pairs 4
sleep 100000
