#!/bin/sh
# Guest side of guest-policy.sh, which puts CAPTURE_FILE=... in front.
# Four VFs in namespaces 1..4 (VF i in namespace i + 1). The host carries
# out the NSWITCH-QMP lines; each step prints what the guest saw.
. /scenario-lib.sh

vf_set() {
    host_qmp nswitch-vf-set "{\"device\": \"nsw0\", $1}"
}

# Lets the receiving guest's driver count what was sent (a loaded host
# can delay it well beyond a tick).
settle() {
    sleep 2
}

# send NS DST_MAC COUNT SIZE [SETTING...]: COUNT frames, then returns.
send() {
    ns=$1 dst=$2 count=$3 size=$4
    shift 4
    pktgen_setup "$ns" 0 "count $count" "pkt_size $size" 'delay 0' \
        "dst_mac $dst" "$PKTGEN_MPLS" "$@" && pktgen_run "$ns"
}

modprobe pktgen || exit 1
enable_vfs_in_namespaces 4 || exit 1
# Quiet VFs: no IPv6 chatter in the frames counted below.
for n in 1 2 3 4; do
    in_namespace "$n" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/vf/disable_ipv6'
done
sleep 1
vf1=$(mac_of 2)

# Spoof check: frames from VF 0 with another source MAC do not arrive.
received 2
send 1 "$vf1" 100 60 'src_mac 02:6e:00:00:00:99'
settle
echo "SPOOFED $(received_since 2 "$rx_packets" "$rx_bytes")"
received 2
send 1 "$vf1" 100 60
settle
echo "CONTROL $(received_since 2 "$rx_packets" "$rx_bytes")"

# Trust: once VF 2's MAC is pinned, its guest's new MAC is refused (its
# frames are spoofed) until the VF is trusted.
vf2=$(mac_of 3)
vf_set "\"vf\": 2, \"mac\": \"$vf2\""
in_namespace 3 ip link set vf address 02:6e:00:00:00:44
received 2
send 3 "$vf1" 20 60
settle
echo "PINNED $(received_since 2 "$rx_packets" "$rx_bytes")"
vf_set '"vf": 2, "trust": true'
received 2
send 3 "$vf1" 20 60
settle
echo "TRUSTED $(received_since 2 "$rx_packets" "$rx_bytes")"
in_namespace 3 ip link set vf address "$vf2"
# its next frame brings the switch back to the old MAC, while trusted
send 3 "$vf1" 1 60
settle
vf_set '"vf": 2, "trust": false'

# Promiscuous mode: unicast to a MAC of the group that no VF owns reaches
# the trusted promiscuous VF 3, not the untrusted promiscuous VF 2.
vf_set '"vf": 3, "trust": true'
in_namespace 3 ip link set vf promisc on
in_namespace 4 ip link set vf promisc on
received 3
untrusted_packets=$rx_packets untrusted_bytes=$rx_bytes
received 4
send 1 02:6e:00:00:00:77 40 60
settle
echo "PROMISC-TRUSTED $(received_since 4 "$rx_packets" "$rx_bytes")"
echo "PROMISC-UNTRUSTED $(received_since 3 "$untrusted_packets" "$untrusted_bytes")"
in_namespace 3 ip link set vf promisc off
vf_set '"vf": 3, "trust": false'

# All-multicast: a group no VF subscribed to reaches VF 3 once trusted.
in_namespace 4 ip link set vf promisc off
in_namespace 4 ifconfig vf allmulti
received 4
send 1 01:00:5e:00:00:42 30 60
settle
echo "ALLMULTI-UNTRUSTED $(received_since 4 "$rx_packets" "$rx_bytes")"
vf_set '"vf": 3, "trust": true'
received 4
send 1 01:00:5e:00:00:42 30 60
settle
echo "ALLMULTI-TRUSTED $(received_since 4 "$rx_packets" "$rx_bytes")"
vf_set '"vf": 3, "trust": false'

# Link state: the guest sees NO-CARRIER, then the carrier again.
vf_set '"vf": 0, "link-state": "disable"'
echo "LINK-DISABLED $(wait_link 1 NO-CARRIER)"
vf_set '"vf": 0, "link-state": "enable"'
echo "LINK-ENABLED $(wait_link 1 LOWER_UP)"

# TX rate: VF 0 capped at 10 Mbit/s (a slowed guest still offers more),
# measured at VF 1 over 4 s.
vf_set '"vf": 0, "max-tx-rate": 10'
pktgen_setup 1 0 'count 0' 'pkt_size 1000' 'delay 0' "dst_mac $vf1" \
    "$PKTGEN_MPLS"
pktgen_start 1
sender=$!
sleep 1
received 2
start=$(cut -d' ' -f1 /proc/uptime)
first=$rx_bytes
sleep 4
received 2
end=$(cut -d' ' -f1 /proc/uptime)
pktgen_stop 1
wait "$sender"
echo "RATE $(awk -v b=$((rx_bytes - first)) -v s="$start" -v e="$end" \
    'BEGIN { printf "bits_per_second=%d", b * 8 / (e - s) }')"
vf_set '"vf": 0, "max-tx-rate": 0'

# Mirror and capture of what concerns VF 1: 50 frames from VF 0 to VF 1
# are in both, 30 from VF 2 to VF 0 in neither. VF 3 is the monitor.
host_qmp nswitch-capture-start "{\"device\": \"nsw0\", \"file\": \"$CAPTURE_FILE\", \"vf\": 1}"
host_qmp nswitch-mirror-start '{"device": "nsw0", "monitor-vf": 3, "vf": 1}'
in_namespace 4 ip link set vf promisc on
sleep 0.5
received 4
send 1 "$vf1" 50 100
send 3 "$(mac_of 1)" 30 100
settle
echo "MIRROR $(received_since 4 "$rx_packets" "$rx_bytes")"
host_qmp nswitch-capture-stop '{"device": "nsw0"}'
host_qmp nswitch-mirror-stop '{"device": "nsw0"}'
host_qmp x-query-nswitch
