#!/bin/sh
# Guest side of guest-lifecycle.sh: VFs disabled while traffic flows,
# enabled again, then the PF hot-unplugged while its VFs are enabled.
. /scenario-lib.sh

pf=$(sriov_pf)
enable_vfs_in_namespaces 2 || exit 1
in_namespace 1 ping -c 1 -W 3 169.254.10.2 >/dev/null && echo "BEFORE ok"

# A stream of pings (one per ping process, 20 per second) while the VFs go.
( while :; do in_namespace 1 ping -c 1 -W 1 169.254.10.2 >/dev/null 2>&1;
    done ) &
traffic=$!
sleep 1
echo 0 >"$pf/sriov_numvfs" && echo "DISABLED under traffic"
kill "$traffic"
wait "$traffic" 2>/dev/null
kill $(jobs -p) 2>/dev/null
echo "VFS-NOW $(cat "$pf/sriov_numvfs")"

enable_vfs_in_namespaces 2 || exit 1
in_namespace 1 ping -c 1 -W 3 169.254.10.2 >/dev/null && echo "AFTER ok"

host_qmp device_del '{"id": "card0"}' || exit 1
tries=0
while [ -e "$pf" ] && [ "$tries" -lt 100 ]; do
    tries=$((tries + 1))
    sleep 0.2
done
[ -e "$pf" ] || echo "UNPLUGGED"
host_qmp query-nswitch || exit 1
