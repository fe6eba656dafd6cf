#!/usr/bin/env bash
# The paper's Design 2 in a stock Debian guest: a card of two ports, two
# VFs of each in network namespaces, every pair pings. The two uplinks
# meet on a QEMU hub (the external switch) and each is captured
# (filter-dump). With inter-port relay on, no unicast between VFs
# crosses either uplink, whichever ports they are on; with it off, the
# cross-port unicast leaves by the sender's uplink and comes back by the
# receiver's, as between two cards, while same-port frames still stay.
# Broadcasts (ARP) reach the other port through the hub only: broadcast
# domains are per port.
source "$(dirname "$0")/tap.bash"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

console=$("$REPO_ROOT/scripts/run-guest.sh" \
    "$REPO_ROOT/tests/system/guest/ports-namespaces.sh" \
    -netdev hubport,id=uplink0,hubid=0 -netdev hubport,id=uplink1,hubid=0 \
    -object filter-dump,id=capture0,netdev=uplink0,file="$work/uplink0.pcap" \
    -object filter-dump,id=capture1,netdev=uplink1,file="$work/uplink1.pcap" \
    -device pcie-root-port,id=rp0,chassis=1 \
    -device nswitch-nic,id=port0,bus=rp0,addr=0.0,ports=2,vfs=2,netdev=uplink0 \
    -device nswitch-nic,id=port1,bus=rp0,addr=0.1,vfs=2,netdev=uplink1 2>&1)
status=$?
grep -E '^PING ' <<<"$console" | sed 's/^/# /'

ok "guest finished its scenario" test "$status" -eq 0
for round in relay-on relay-off; do
    for a in 1 2 3 4; do
        for b in 1 2 3 4; do
            [ "$a" = "$b" ] && continue
            ok "$round: namespace $a pings namespace $b" \
                contains "$console" "PING $round $a->$b ok"
        done
    done
done

inter_port=$(sed -n 's/^  paths: .* \([0-9]*\) inter-port, .*/\1/p' <<<"$console")
echo "# info nswitch, inter-port frames per port:" $inter_port
ok "info nswitch shows both ports of one card" \
    contains "$console" "port 1 of 2 of card /machine/peripheral/port0"
ok "each port counts the cross-port pings as inter-port" \
    test "$(awk '$1 >= 16 { n++ } END { print n + 0 }' <<<"$inter_port")" -eq 2

# 64-byte pings are 106-byte frames, 200-byte ones 242-byte frames.
port0_vf='02:6e:00:00:00:0[12]'
port1_vf='02:6e:01:01:00:0[12]'
for uplink in 0 1; do
    frames=$(python3 "$REPO_ROOT/tests/system/pcap-frames.py" \
        "$work/uplink$uplink.pcap")
    between() {
        grep -cE "^($1) ($2) 0800 $3\$" <<<"$frames"
    }
    cross_on=$(( $(between "$port0_vf" "$port1_vf" 106) +
                 $(between "$port1_vf" "$port0_vf" 106) ))
    cross_off=$(( $(between "$port0_vf" "$port1_vf" 242) +
                  $(between "$port1_vf" "$port0_vf" 242) ))
    same=$(( $(between "$port0_vf" "$port0_vf" '[0-9]+') +
             $(between "$port1_vf" "$port1_vf" '[0-9]+') ))
    echo "# uplink $uplink: $(wc -l <<<"$frames") frames; cross-port pings:" \
        "$cross_on relayed on, $cross_off relayed off; same-port: $same"
    ok "uplink $uplink: no cross-port ping crossed it with relay on" \
        test "$cross_on" -eq 0
    ok "uplink $uplink: every cross-port ping crossed it with relay off" \
        test "$cross_off" -ge 16
    ok "uplink $uplink: no same-port unicast crossed it" test "$same" -eq 0
    ok "uplink $uplink: the ARP broadcasts crossed it (domains per port)" \
        grep -qE "^ff:ff:ff:ff:ff:ff ($port0_vf|$port1_vf) 0806 " <<<"$frames"
done

done_testing
