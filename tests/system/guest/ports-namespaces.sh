#!/bin/sh
# Guest side of guest-multiport.sh: a card of two ports (PFs 0 and 1),
# two VFs of each in their own network namespaces (1-2 on port 0, 3-4 on
# port 1), every pair pings with inter-port relay on (64-byte payloads),
# then again with it off on both ports (200-byte payloads), so that the
# host tells the two rounds apart in its uplink captures.
. /scenario-lib.sh

port0=$(sriov_pfs | sed -n 1p)
port1=$(sriov_pfs | sed -n 2p)
[ -n "$port1" ] || { echo "the card has no second port"; exit 1; }
enable_vfs_in_namespaces 2 "$port0" 1 || exit 1
enable_vfs_in_namespaces 2 "$port1" 3 || exit 1

ping_round() {
    for a in 1 2 3 4; do
        for b in 1 2 3 4; do
            [ "$a" = "$b" ] && continue
            if in_namespace "$a" ping -c 1 -W 3 -s "$2" "169.254.10.$b" \
                >/dev/null; then
                echo "PING $1 $a->$b ok"
            else
                echo "PING $1 $a->$b failed"
            fi
        done
    done
}

ping_round relay-on 64
host_qmp x-query-nswitch || exit 1
host_qmp nswitch-inter-port-relay-set '{"device": "port0", "enable": false}' || exit 1
host_qmp nswitch-inter-port-relay-set '{"device": "port1", "enable": false}' || exit 1
ping_round relay-off 200
