#!/bin/sh
# The benchmark's guest side (busybox sh), run as the test guest's scenario.
# scripts/bench/run.py puts the BENCH_* settings in front of this file.
#
# Four VFs, each in its own network namespace 1..4 (169.254.10.N). Every
# measurement is framed by "NSWITCH-MARK begin ID" and "NSWITCH-MARK end ID"
# (the host reads its CPU times and the card's counters there) and
# followed by "BENCH ID key=value..." with what the guest counted.
#
# BENCH_DRIVER        virtio (nswitch-nic) or igb (QEMU's igb, igbvf VFs)
# BENCH_EXPERIMENT    modes: small-frame rate sweep with latency under
#                     load, idle latency, TCP; uplink-cap: a VF-to-VF and a
#                     VF-to-external flow at once (the paper's Fig. 7)
#                     ports: a card of two ports (namespaces 1-2 on port
#                     0, 3-4 on port 1), the paper's Fig. 4 paths one at a
#                     time at BENCH_PORTS_RATE
# BENCH_SECONDS BENCH_REPEATS BENCH_RATES BENCH_FRAME BENCH_PINGS
# BENCH_TCP_SECONDS BENCH_EXTERNAL_MAC BENCH_EXTERNAL_IP BENCH_PORTS_RATE
. /scenario-lib.sh

# pktgen_flow NS THREAD DST_IP DST_MAC FRAME RATE: NS's "vf" sends
# FRAME-byte frames at RATE frames/s ("max": as fast as it can) from
# pktgen thread THREAD. Cloned skbs and bursts of 32 make the guest's
# sending cheap, and an MPLS label makes its receiving cheap (no MPLS
# stack: dropped right after the driver counted it), so that the path
# between them is what is measured.
pktgen_flow() {
    rate=
    [ "$6" = max ] || rate="ratep $(($6 / 32))"
    pktgen_setup "$1" "$2" 'count 0' 'clone_skb 1000' 'burst 32' 'delay 0' \
        "pkt_size $5" "dst $3" "dst_mac $4" "$PKTGEN_MPLS" ${rate:+"$rate"}
}

# ping_rtts FROM TO COUNT INTERVAL: "rtt_ms=a,b,c lost=N".
ping_rtts() {
    in_namespace "$1" ping -c "$3" -i "$4" -W 2 "169.254.10.$2" |
        awk -v count="$3" '
            /time=/ { split($0, t, "time="); split(t[2], v, " ")
                      list = list (n++ ? "," : "") v[1] }
            END { print "rtt_ms=" (n ? list : "none") " lost=" count - n }'
}

wait_for_carrier() {
    for n in 1 2 3 4; do
        wait_link "$n" LOWER_UP 300 >/dev/null ||
            { echo "VF in namespace $n has no carrier"; return 1; }
    done
}

# pin_function_irqs VF CPU_MASK: the interrupts of VF (0-based) of the PF
# go to the vCPUs in CPU_MASK.
pin_function_irqs() {
    for irq in "$pf/virtfn$1"/msi_irqs/*; do
        echo "$2" >"/proc/irq/${irq##*/}/smp_affinity"
    done
}

setup() {
    modprobe pktgen || return 1
    pf=$(sriov_pf) || { echo "no SR-IOV function"; return 1; }
    if [ "$BENCH_DRIVER" = igb ]; then
        modprobe igb && modprobe igbvf || return 1
        pf=$(sriov_pf)
        ip link set "$(interface_of_function "$pf")" up
    fi
    enable_vfs_in_namespaces 4 "$pf" || return 1
    wait_for_carrier || return 1
    # The sender (VF 0, pktgen on vCPU 1) keeps its TX completions on its
    # own vCPU; vCPU 0 is left to the receiver (VF 1).
    pin_function_irqs 0 2
    pin_function_irqs 1 1
    # Resolve neighbours and let learning switches learn every VF.
    for pair in 1:2 2:1 3:4 4:3 1:3 3:1; do
        in_namespace "${pair%:*}" ping -c 2 -i 0.2 -W 3 "169.254.10.${pair#*:}" >/dev/null ||
            { echo "warm-up ping ${pair%:*} -> ${pair#*:} failed"; return 1; }
    done
    echo "BENCH setup driver=$BENCH_DRIVER vf1=$(mac_of 1) vf2=$(mac_of 2)"
}

# One small-frame point: VF 1 -> VF 2 at RATE while VF 3 pings VF 4.
rate_point() {
    id=rate-$1-$2
    pktgen_flow 1 1 169.254.10.2 "$(mac_of 2)" "$BENCH_FRAME" "$1"
    received 2
    echo "NSWITCH-MARK begin $id"
    pktgen_start 1
    sender=$!
    pings=$(ping_rtts 3 4 $((BENCH_SECONDS * 20)) 0.05)
    pktgen_stop 1
    wait "$sender"
    sleep 0.2
    echo "NSWITCH-MARK end $id"
    echo "BENCH $id sent=$(pktgen_sent 1)" \
        "$(received_since 2 "$rx_packets" "$rx_bytes") $pings"
}

tcp_point() {
    id=tcp-$1
    echo "NSWITCH-MARK begin $id"
    # The receiver's summary: "[ 5] 0.00-5.00 sec 280 MBytes 470 Mbits/sec receiver"
    result=$(in_namespace 1 iperf3 -c 169.254.10.2 -t "$BENCH_TCP_SECONDS" -f m |
        awk '/receiver$/ { for (i = 1; i < NF; i++) {
                 if ($(i + 1) == "MBytes") printf "mbytes=%s ", $i
                 if ($(i + 1) == "Mbits/sec") printf "mbit_s=%s", $i } }')
    echo "NSWITCH-MARK end $id"
    echo "BENCH $id ${result:-mbit_s=failed}"
}

idle_latency() {
    echo "NSWITCH-MARK begin latency-$1"
    pings=$(ping_rtts 1 2 "$BENCH_PINGS" 0.02)
    echo "NSWITCH-MARK end latency-$1"
    echo "BENCH latency-$1 $pings"
}

modes_experiment() {
    for rate in $BENCH_RATES; do
        for repeat in $(seq "$BENCH_REPEATS"); do
            rate_point "$rate" "$repeat"
        done
    done
    for repeat in $(seq "$BENCH_REPEATS"); do
        idle_latency "$repeat"
    done
    in_namespace 2 iperf3 -s -D
    wait_listening 2 5201 || exit 1
    for repeat in $(seq "$BENCH_REPEATS"); do
        tcp_point "$repeat"
    done
}

# VF 1 -> VF 2 and VF 3 -> a host outside the card, both as fast as they
# can, with BENCH_FRAME-byte frames.
uplink_cap_experiment() {
    for repeat in $(seq "$BENCH_REPEATS"); do
        id=cap-$repeat
        pktgen_flow 1 1 169.254.10.2 "$(mac_of 2)" "$BENCH_FRAME" max
        pktgen_flow 3 0 "$BENCH_EXTERNAL_IP" "$BENCH_EXTERNAL_MAC" "$BENCH_FRAME" max
        received 2
        echo "NSWITCH-MARK begin $id"
        pktgen_start 1
        first=$!
        pktgen_start 3
        second=$!
        sleep "$BENCH_SECONDS"
        pktgen_stop 1
        pktgen_stop 3
        wait "$first" "$second"
        sleep 0.2
        echo "NSWITCH-MARK end $id"
        echo "BENCH $id sent=$(pktgen_sent 1) external_sent=$(pktgen_sent 3)" \
            "$(received_since 2 "$rx_packets" "$rx_bytes")"
    done
}

# The two-port card: VF 0 and 1 of each port in namespaces 1-2 and 3-4.
ports_setup() {
    modprobe pktgen || return 1
    port0=$(sriov_pfs | sed -n 1p)
    port1=$(sriov_pfs | sed -n 2p)
    [ -n "$port1" ] || { echo "the card has no second port"; return 1; }
    enable_vfs_in_namespaces 2 "$port0" 1 || return 1
    enable_vfs_in_namespaces 2 "$port1" 3 || return 1
    wait_for_carrier || return 1
    pf=$port0
    pin_function_irqs 0 2
    pin_function_irqs 1 1
    pf=$port1
    pin_function_irqs 0 1
    # Neighbours, and the external bridge learns each port's VFs on its
    # uplink (the ARP broadcasts leave by both).
    for pair in 1:2 2:1 1:3 3:1 4:2; do
        in_namespace "${pair%:*}" ping -c 2 -i 0.2 -W 3 "169.254.10.${pair#*:}" >/dev/null ||
            { echo "warm-up ping ${pair%:*} -> ${pair#*:} failed"; return 1; }
    done
    echo "BENCH setup driver=$BENCH_DRIVER vf1=$(mac_of 1) vf3=$(mac_of 3)"
}

# port_point ID RECEIVER DST_IP DST_MAC: VF 0 of port 0 (namespace 1)
# sends 60-byte frames at BENCH_PORTS_RATE to namespace RECEIVER, or to
# the external host (RECEIVER "external": the host counts what arrives).
port_point() {
    pktgen_flow 1 1 "$3" "$4" "$BENCH_FRAME" "$BENCH_PORTS_RATE"
    [ "$2" = external ] || received "$2"
    echo "NSWITCH-MARK begin $1"
    pktgen_start 1
    sender=$!
    sleep "$BENCH_SECONDS"
    pktgen_stop 1
    wait "$sender"
    sleep 0.2
    echo "NSWITCH-MARK end $1"
    if [ "$2" = external ]; then
        echo "BENCH $1 sent=$(pktgen_sent 1)"
    else
        echo "BENCH $1 sent=$(pktgen_sent 1)" \
            "$(received_since "$2" "$rx_packets" "$rx_bytes")"
    fi
}

ports_experiment() {
    for repeat in $(seq "$BENCH_REPEATS"); do
        port_point "port-same-$repeat" 2 169.254.10.2 "$(mac_of 2)"
        port_point "port-across-$repeat" 3 169.254.10.3 "$(mac_of 3)"
        host_qmp nswitch-inter-port-relay-set \
            '{"device": "port0", "enable": false}' || exit 1
        port_point "port-across-off-$repeat" 3 169.254.10.3 "$(mac_of 3)"
        host_qmp nswitch-inter-port-relay-set \
            '{"device": "port0", "enable": true}' || exit 1
        port_point "port-external-$repeat" external "$BENCH_EXTERNAL_IP" \
            "$BENCH_EXTERNAL_MAC"
    done
}

if [ "$BENCH_EXPERIMENT" = ports ]; then
    ports_setup || exit 1
else
    setup || exit 1
fi
case "$BENCH_EXPERIMENT" in
modes) modes_experiment ;;
uplink-cap) uplink_cap_experiment ;;
ports) ports_experiment ;;
*) echo "unknown BENCH_EXPERIMENT $BENCH_EXPERIMENT"; exit 1 ;;
esac
echo "BENCH done"
# The host takes its last readings over QMP: do not power off under it.
sleep 2
