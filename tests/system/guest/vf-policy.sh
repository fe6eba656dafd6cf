#!/bin/sh
# Guest side of guest-policy.sh, which puts CAPTURE_FILE=... in front.
# Four VFs in namespaces 1..4 (VF i in namespace i + 1). The host carries
# out the NSWITCH-QMP lines; each step prints what the guest saw.
#
# No step sleeps for the frames: after a step's frames the sender sends a
# marker (scenario-lib's marker) that takes the same path, and the step
# counts once the marker is in. Frames that must not arrive (a count of
# 0) would have been counted before it.
. /scenario-lib.sh

vf_set() {
    host_qmp nswitch-vf-set "{\"device\": \"nsw0\", $1}" || exit 1
}

# send NS DST_MAC COUNT SIZE [SETTING...]: COUNT frames, then returns.
send() {
    ns=$1 dst=$2 count=$3 size=$4
    shift 4
    pktgen_setup "$ns" 0 "count $count" "pkt_size $size" 'delay 0' \
        "dst_mac $dst" "$PKTGEN_MPLS" "$@" && pktgen_run "$ns" ||
        { echo "pktgen failed in namespace $ns"; exit 1; }
}

# report NAME NS PACKETS MARKERS: "NAME received=N markers=MARKERS", N
# what NS's vf received since it had PACKETS, less the MARKERS markers.
report() {
    received "$2"
    echo "$1 received=$((rx_packets - $3 - $4)) markers=$4"
}

modprobe pktgen || exit 1
enable_vfs_in_namespaces 4 || exit 1
# Quiet VFs: no IPv6 chatter in the frames counted below. What a VF sent
# before is in before its broadcast marker has reached the others.
for n in 1 2 3 4; do
    in_namespace "$n" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/vf/disable_ipv6'
done
for n in 1 2 3 4; do
    broadcast_marker "$n" $(seq 4 | grep -vx "$n") || exit 1
done
vf1=$(mac_of 2)

# Spoof check: frames from VF 0 with another source MAC do not arrive.
received 2
before=$rx_packets
send 1 "$vf1" 100 60 'src_mac 02:6e:00:00:00:99'
marker 1 2 || exit 1
report SPOOFED 2 "$before" 1
received 2
before=$rx_packets
send 1 "$vf1" 100 60
marker 1 2 || exit 1
report CONTROL 2 "$before" 1

# Trust: once VF 2's MAC is pinned, its guest's new MAC is refused (its
# frames are spoofed) until the VF is trusted.
vf2=$(mac_of 3)
vf_set "\"vf\": 2, \"mac\": \"$vf2\""
in_namespace 3 ip link set vf address 02:6e:00:00:00:44
received 2
before=$rx_packets
send 3 "$vf1" 20 60
# from the pinned MAC, which the card lets through; once it is in, the
# card has also dropped the 20 before it, trusted or not
marker 3 2 "$vf2" || exit 1
report PINNED 2 "$before" 1
vf_set '"vf": 2, "trust": true'
received 2
before=$rx_packets
send 3 "$vf1" 20 60
marker 3 2 || exit 1
report TRUSTED 2 "$before" 1
in_namespace 3 ip link set vf address "$vf2"
# its next frame brings the switch back to the old MAC, while trusted:
# the marker is that frame, switched once it is in
marker 3 2 || exit 1
vf_set '"vf": 2, "trust": false'

# Promiscuous mode: unicast to a MAC of the group that no VF owns reaches
# the trusted promiscuous VF 3, not the untrusted promiscuous VF 2.
# (virtio_net sets the mode with a control command that the device has
# answered when "ip link" returns.)
vf_set '"vf": 3, "trust": true'
in_namespace 3 ip link set vf promisc on
in_namespace 4 ip link set vf promisc on
received 3
untrusted=$rx_packets
received 4
trusted=$rx_packets
send 1 02:6e:00:00:00:77 40 60
marker 1 4 || exit 1
marker 1 3 || exit 1
report PROMISC-TRUSTED 4 "$trusted" 1
report PROMISC-UNTRUSTED 3 "$untrusted" 1
in_namespace 3 ip link set vf promisc off
vf_set '"vf": 3, "trust": false'

# All-multicast: a group no VF subscribed to reaches VF 3 once trusted.
in_namespace 4 ip link set vf promisc off
in_namespace 4 ifconfig vf allmulti
received 4
before=$rx_packets
send 1 01:00:5e:00:00:42 30 60
marker 1 4 || exit 1
report ALLMULTI-UNTRUSTED 4 "$before" 1
vf_set '"vf": 3, "trust": true'
received 4
before=$rx_packets
send 1 01:00:5e:00:00:42 30 60
marker 1 4 || exit 1
report ALLMULTI-TRUSTED 4 "$before" 1
vf_set '"vf": 3, "trust": false'

# Link state: the guest sees NO-CARRIER, then the carrier again.
vf_set '"vf": 0, "link-state": "disable"'
echo "LINK-DISABLED $(wait_link 1 NO-CARRIER)"
vf_set '"vf": 0, "link-state": "enable"'
echo "LINK-ENABLED $(wait_link 1 LOWER_UP)"

# TX rate: VF 0 capped at 10 Mbit/s (a slowed guest still offers more),
# measured at VF 1 over the time it takes to receive 5 MB (4 s at the
# cap; the bound, 40 s, is 1 Mbit/s).
vf_set '"vf": 0, "max-tx-rate": 10'
pktgen_setup 1 0 'count 0' 'pkt_size 1000' 'delay 0' "dst_mac $vf1" \
    "$PKTGEN_MPLS" || exit 1
pktgen_start 1
sender=$!
# The window opens once VF 1 got more than the bucket's burst (64 KiB +
# 256 bytes at 10 Mbit/s): from then on the cap alone paces VF 0.
received 2
first=$rx_bytes
tries=0
until received 2 && [ $((rx_bytes - first)) -gt 65792 ]; do
    tries=$((tries + 1))
    [ "$tries" -gt 200 ] && { echo "RATE-BOUND VF 1 got under 64 KiB in 20 s"; break; }
    sleep 0.1
done
start=$(cut -d' ' -f1 /proc/uptime)
first=$rx_bytes
tries=0
until received 2 && [ $((rx_bytes - first)) -ge 5000000 ]; do
    tries=$((tries + 1))
    [ "$tries" -gt 400 ] && { echo "RATE-BOUND VF 1 got under 5 MB in 40 s"; break; }
    sleep 0.1
done
end=$(cut -d' ' -f1 /proc/uptime)
pktgen_stop 1
wait "$sender"
echo "RATE $(awk -v b=$((rx_bytes - first)) -v s="$start" -v e="$end" \
    'BEGIN { printf "bits_per_second=%d bytes=%d seconds=%.1f", b * 8 / (e - s), b, e - s }')"
vf_set '"vf": 0, "max-tx-rate": 0'

# Mirror and capture of what concerns VF 1: 50 frames from VF 0 to VF 1
# are in both, 30 from VF 2 to VF 0 in neither. VF 3 is the monitor; the
# markers, from VF 0 and VF 2 to it, concern neither VF 1 nor the mirror.
host_qmp nswitch-capture-start "{\"device\": \"nsw0\", \"file\": \"$CAPTURE_FILE\", \"vf\": 1}" ||
    exit 1
host_qmp nswitch-mirror-start '{"device": "nsw0", "monitor-vf": 3, "vf": 1}' ||
    exit 1
in_namespace 4 ip link set vf promisc on
received 4
before=$rx_packets
send 1 "$vf1" 50 100
send 3 "$(mac_of 1)" 30 100
marker 1 4 || exit 1
marker 3 4 || exit 1
report MIRROR 4 "$before" 2
host_qmp nswitch-capture-stop '{"device": "nsw0"}' || exit 1
host_qmp nswitch-mirror-stop '{"device": "nsw0"}' || exit 1
host_qmp x-query-nswitch || exit 1
