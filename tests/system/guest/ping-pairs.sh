#!/bin/sh
# Guest side of guest-modes.sh: 4 VFs in 4 namespaces ping every pair;
# then the host is asked for query-nswitch.
. /scenario-lib.sh

enable_vfs_in_namespaces 4 || exit 1
ping_all_pairs 4
host_qmp query-nswitch || exit 1
