#!/bin/sh
# Guest side of guest-lifecycle.sh: VFs disabled while traffic flows,
# enabled again, then the PF hot-unplugged while its VFs are enabled.
. /scenario-lib.sh

pf=$(sriov_pf)
enable_vfs_in_namespaces 2 || exit 1
in_namespace 1 ping -c 1 -W 3 169.254.10.2 >/dev/null && echo "BEFORE ok"

# A stream of pings (one ping process after the other) while the VFs go;
# they go once the stream has had an answer (at most 10 s).
rm -f /tmp/traffic-flows
( while :; do in_namespace 1 ping -c 1 -W 1 169.254.10.2 >/dev/null 2>&1 &&
    : >/tmp/traffic-flows; done ) &
traffic=$!
tries=0
until [ -e /tmp/traffic-flows ]; do
    tries=$((tries + 1))
    [ "$tries" -gt 100 ] && { echo "no answer in the ping stream in 10 s"; exit 1; }
    sleep 0.1
done
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
