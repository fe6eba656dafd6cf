#!/bin/sh
# Guest side of guest-migration.sh: VF 1 pings VF 2 across the card, ten
# times a second, while the host migrates the VM; the pings go on on the
# destination, and the guest reports how many were answered.
. /scenario-lib.sh

enable_vfs_in_namespaces 2 || exit 1
in_namespace 1 ping -c 1 -W 3 169.254.10.2 >/dev/null && echo "BEFORE ok"
in_namespace 1 ping -c 300 -i 0.1 -W 1 169.254.10.2 >/tmp/ping.log 2>&1 &
pinger=$!
stty -echo 2>/dev/null
echo "MIGRATE-NOW"
# the host answers on the destination's console once the VM runs there
read -r _ </dev/console
echo "RUNNING-ON-DESTINATION"
wait "$pinger"
echo "PINGS $(grep 'packets transmitted' /tmp/ping.log)"
in_namespace 1 ping -c 1 -W 3 169.254.10.2 >/dev/null && echo "AFTER ok"
