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

ping_all_pairs 4 relay-on 64
host_qmp x-query-nswitch || exit 1
host_qmp nswitch-inter-port-relay-set '{"device": "port0", "enable": false}' || exit 1
host_qmp nswitch-inter-port-relay-set '{"device": "port1", "enable": false}' || exit 1
ping_all_pairs 4 relay-off 200
