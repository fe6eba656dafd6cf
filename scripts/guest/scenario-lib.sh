# Helpers for guest scenarios (busybox sh); appended as /scenario-lib.sh.

# The SR-IOV capable PCI functions, in address order.
sriov_pfs() {
    for dev in /sys/bus/pci/devices/*; do
        [ -e "$dev/sriov_totalvfs" ] && echo "$dev"
    done
}

# The first SR-IOV capable PCI function.
sriov_pf() {
    pf=$(sriov_pfs | head -n 1)
    [ -n "$pf" ] && echo "$pf"
}

# host_qmp COMMAND [JSON-ARGUMENTS]: the host runs the QMP command and
# prints its answer in the console's flow; returns once it has (the host
# acknowledges on the console's input; see scripts/run-guest.sh) with the
# command's status: non-zero if QMP answered with an error.
host_qmp() {
    stty -echo 2>/dev/null
    echo "NSWITCH-QMP $*"
    read -r _ qmp_status </dev/console || qmp_status=none
    [ "$qmp_status" = 0 ] && return 0
    echo "NSWITCH-QMP-FAILED $1 (status $qmp_status)"
    return 1
}

# move_to_namespace IFACE N ADDRESS/PREFIX: a new network namespace N,
# held by a sleeping process, with IFACE renamed "vf" and up.
move_to_namespace() {
    unshare -n sleep 100000 &
    eval "namespace_pid_$2=$!"
    # Until unshare has run, the process is still in this namespace.
    tries=0
    while [ "$(readlink "/proc/$!/ns/net")" = "$(readlink /proc/self/ns/net)" ]; do
        tries=$((tries + 1))
        # a bound, not a delay: 10 s
        [ "$tries" -gt 200 ] && { echo "namespace $2 not made in 10 s"; return 1; }
        sleep 0.05
    done
    ip link set "$1" netns "$!"
    in_namespace "$2" ip link set "$1" name vf
    in_namespace "$2" ip addr add "$3" dev vf
    in_namespace "$2" ip link set vf up
    in_namespace "$2" ip link set lo up
}

# in_namespace N COMMAND...: runs COMMAND in namespace N.
in_namespace() {
    eval "pid=\$namespace_pid_$1"
    shift
    nsenter -t "$pid" -n "$@"
}

# The network interface of PCI function directory $1 (virtio_net's, which
# sits on the virtio bus, or a PCI driver's such as igbvf's).
interface_of_function() {
    for net in "$1"/virtio*/net/* "$1"/net/*; do
        [ -e "$net" ] && { echo "${net##*/}"; return 0; }
    done
    return 1
}

# enable_vfs_in_namespaces N [PF [FIRST]]: enables N VFs of PF (default:
# the first SR-IOV PF) and puts its VF i (0-based) in network namespace
# FIRST + i (default FIRST 1) as "vf" with 169.254.10.<namespace>/24.
enable_vfs_in_namespaces() {
    pf=${2:-$(sriov_pf)} || { echo "no SR-IOV function"; return 1; }
    first=${3:-1}
    echo "$1" >"$pf/sriov_numvfs" || return 1
    vf=0
    while [ "$vf" -lt "$1" ]; do
        tries=0
        until iface=$(interface_of_function "$pf/virtfn$vf"); do
            tries=$((tries + 1))
            # a bound, not a delay: a loaded host probes slowly
            [ "$tries" -gt 300 ] && { echo "VF $vf has no interface"; return 1; }
            sleep 0.1
        done
        n=$((first + vf))
        move_to_namespace "$iface" "$n" "169.254.10.$n/24" || return 1
        vf=$((vf + 1))
    done
}

# listening NS PORT: whether a TCP socket listens on PORT in namespace NS
# (state 0A in its /proc/net/tcp or tcp6).
listening() {
    in_namespace "$1" cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v port="$(printf ':%04X' "$2")" '$4 == "0A" &&
            substr($2, length($2) - 4) == port { found = 1 }
            END { exit !found }'
}

# wait_listening NS PORT: until something listens on TCP PORT in NS, at
# most 10 s.
wait_listening() {
    tries=0
    until listening "$1" "$2"; do
        tries=$((tries + 1))
        if [ "$tries" -gt 100 ]; then
            echo "nothing listens on TCP port $2 in namespace $1 after 10 s"
            return 1
        fi
        sleep 0.1
    done
}

# tcp_copy FROM TO PORT FILE: sends FILE from namespace FROM to namespace
# TO over TCP and prints "sent" and "received" md5 sums.
tcp_copy() {
    # busybox nc quits once its peer half-closes: the listener's stdin
    # (a FIFO held open here) must not reach EOF before the data is in.
    rm -f "/tmp/hold.$3"
    mkfifo "/tmp/hold.$3"
    in_namespace "$2" nc -l -p "$3" <"/tmp/hold.$3" >"/tmp/received.$3" &
    listener=$!
    exec 9>"/tmp/hold.$3"
    if ! wait_listening "$2" "$3"; then
        kill "$listener" 2>/dev/null
        exec 9>&-
        return 1
    fi
    in_namespace "$1" nc "169.254.10.$2" "$3" <"$4"
    wait "$listener"
    exec 9>&-
    echo "sent $(md5sum <"$4" | cut -d' ' -f1)"
    echo "received $(md5sum <"/tmp/received.$3" | cut -d' ' -f1)"
}

# ping_pair A B [LABEL [SIZE]]: namespace A pings namespace B once (SIZE
# bytes of payload) and says "PING [LABEL ]A->B ok" or "... failed".
ping_pair() {
    if in_namespace "$1" ping -c 1 -W 3 ${4:+-s "$4"} "169.254.10.$2" \
        >/dev/null; then
        echo "PING ${3:+$3 }$1->$2 ok"
    else
        echo "PING ${3:+$3 }$1->$2 failed"
    fi
}

# ping_all_pairs N [LABEL [SIZE]]: ping_pair for each pair of 1..N.
ping_all_pairs() {
    for a in $(seq "$1"); do
        for b in $(seq "$1"); do
            [ "$a" = "$b" ] || ping_pair "$a" "$b" "$2" "$3"
        done
    done
}

PKTGEN=/proc/net/pktgen
# An MPLS label: the guest has no MPLS stack and drops such frames right
# after its driver counted them.
PKTGEN_MPLS='mpls 0001013f'

# pktgen_setup NS THREAD SETTING...: namespace NS's "vf" becomes the only
# device of pktgen thread THREAD (that vCPU's), with each SETTING written
# to it ("count 100", "dst_mac MAC"...). Needs the pktgen module.
pktgen_setup() {
    ns=$1
    thread=$2
    shift 2
    in_namespace "$ns" sh -c "echo reset >$PKTGEN/pgctrl &&
        echo add_device vf >$PKTGEN/kpktgend_$thread" || return 1
    for setting in "$@"; do
        in_namespace "$ns" sh -c "echo '$setting' >$PKTGEN/vf" || return 1
    done
}

# Starts the pktgen threads of namespace $1 in the background.
pktgen_start() {
    in_namespace "$1" sh -c "echo start >$PKTGEN/pgctrl" &
}

# Runs them until their count is sent.
pktgen_run() {
    in_namespace "$1" sh -c "echo start >$PKTGEN/pgctrl"
}

pktgen_stop() {
    in_namespace "$1" sh -c "echo stop >$PKTGEN/pgctrl"
}

pktgen_sent() {
    in_namespace "$1" awk '/pkts-sofar:/ { print $2 }' "$PKTGEN/vf"
}

# received NS: sets rx_packets and rx_bytes to what namespace NS's vf
# received, as its driver counted.
received() {
    counts=$(in_namespace "$1" awk '{ sub(/:/, " ") } $1 == "vf" { print $3, $2 }' \
        /proc/net/dev)
    rx_packets=${counts% *}
    rx_bytes=${counts#* }
}

# received_since NS PACKETS BYTES: "received=N received_bytes=B" since
# the counts given.
received_since() {
    received "$1"
    echo "received=$((rx_packets - $2)) received_bytes=$((rx_bytes - $3))"
}

# wait_link NS WORD [TENTHS]: until the first line of "ip link show" of
# NS's vf holds WORD (NO-CARRIER, LOWER_UP...), at most TENTHS tenths of
# a second (default 100); prints that line.
wait_link() {
    for _ in $(seq "${3:-100}"); do
        line=$(in_namespace "$1" ip link show vf | head -n 1)
        case "$line" in *"$2"*) echo "$line"; return 0 ;; esac
        sleep 0.1
    done
    echo "$line"
    return 1
}

mac_of() {
    in_namespace "$1" ip link show vf | awk '/link\/ether/ { print $2 }'
}

# ip_received NS: the IPv4 packets namespace NS's stack took in (Ip
# InReceives in /proc/net/snmp); other frames, such as pktgen's MPLS
# ones, do not count there.
ip_received() {
    in_namespace "$1" awk '$1 == "Ip:" && $4 ~ /^[0-9]+$/ { print $4 }' \
        /proc/net/snmp
}

# wait_ip_received NS COUNT: until NS's stack took in more than COUNT
# IPv4 packets, at most 20 s.
wait_ip_received() {
    tries=0
    until [ "$(ip_received "$1")" -gt "$2" ]; do
        tries=$((tries + 1))
        [ "$tries" -gt 200 ] && return 1
        sleep 0.1
    done
}

# marker FROM TO [SRC_MAC]: sends one IPv4 frame (pktgen's, to 0.0.0.0,
# which the stack drops without an answer) from namespace FROM to the MAC
# of namespace TO's vf, and returns once TO's stack took it in (at most
# 20 s). Frames from one VF to another keep their order (one TX queue,
# a card that forwards and holds frames in order, one RX queue), so by
# then TO's driver has counted every frame FROM sent it before: this
# bounds a check that such frames did not arrive. The marker is one more
# frame in TO's receive counters. SRC_MAC: the marker's source MAC.
# (Like the other helpers here it sets globals: marker_before*.)
marker() {
    marker_before=$(ip_received "$2")
    pktgen_setup "$1" 0 'count 1' 'pkt_size 60' 'dst 0.0.0.0' \
        "dst_mac $(mac_of "$2")" ${3:+"src_mac $3"} &&
        pktgen_run "$1" || return 1
    wait_ip_received "$2" "$marker_before" && return 0
    echo "MARKER $1->$2 not received in 20 s"
    return 1
}

# broadcast_marker FROM NS...: marker to the broadcast MAC, which returns
# once each NS took it in.
broadcast_marker() {
    from=$1
    shift
    for ns in "$@"; do
        eval "marker_before_$ns=$(ip_received "$ns")"
    done
    pktgen_setup "$from" 0 'count 1' 'pkt_size 60' 'dst 0.0.0.0' \
        'dst_mac ff:ff:ff:ff:ff:ff' && pktgen_run "$from" || return 1
    for ns in "$@"; do
        eval "marker_before=\$marker_before_$ns"
        wait_ip_received "$ns" "$marker_before" && continue
        echo "MARKER $from->$ns (broadcast) not received in 20 s"
        return 1
    done
}
