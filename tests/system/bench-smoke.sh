#!/usr/bin/env bash
# The guest benchmark's smoke run (scripts/bench/run.py --smoke): one short
# round of every mode (Open vSwitch's and QEMU's composable SR-IOV too), of the capped-uplink experiment and of the two-port
# card's Fig. 4 paths. Checks that it
# produces its outputs and that the figures say what the architectures
# imply; it asserts no speed.
source "$(dirname "$0")/tap.bash"

needs_root "scripts/bench/run.py builds a bridge and taps in a network namespace"

out=$REPO_ROOT/build/bench-smoke
rm -rf "$out"
/usr/bin/python3 "$REPO_ROOT/scripts/bench/run.py" --smoke --out "$out" \
    --log "$REPO_ROOT/build/test-logs/bench-smoke-console.log" 2>&1 |
    sed 's/^/# /'
status=${PIPESTATUS[0]}

ok "the smoke run finishes" test "$status" -eq 0
for file in guest-measurements.csv guest-latency.csv guest-summary.csv \
    guest-summary.md rate.png fig5-cpu.png fig5-latency.png \
    fig7-uplink-cap.png fig8-latency-cdf.png ports-measurements.csv \
    ports-summary.md; do
    ok "it writes $file" test -s "$out/$file"
done

# value EXPERIMENT MODE POINT-PREFIX EXPRESSION: EXPRESSION (python, over
# the row's numeric columns as a dict r) summed over matching rows of
# $measurements (default guest-measurements.csv).
value() {
    /usr/bin/python3 - "$out/${measurements:-guest-measurements.csv}" "$@" <<'PY'
import csv, sys
path, experiment, mode, prefix, expression = sys.argv[1:]
total = 0.0
for row in csv.DictReader(open(path)):
    if (row["experiment"], row["mode"]) == (experiment, mode) and \
            row["point"].startswith(prefix):
        r = {k: float(v) for k, v in row.items()
             if v.replace(".", "", 1).replace("-", "", 1).isdigit()}
        total += eval(expression, {}, {"r": r})
print(total)
PY
}
# above LEFT RIGHT: LEFT > RIGHT, numerically.
above() {
    awk -v l="$1" -v r="$2" 'BEGIN { exit !(l > r) }' || {
        echo "# expected $1 > $2" >&2
        return 1
    }
}

for mode in nswitch veb vepa vswitch vswitch-ovs virtio-sriov igb; do
    ok "$mode: the receiver counted small frames" \
        above "$(value modes "$mode" rate- 'r["received"]')" 0
    ok "$mode: TCP moved data" above "$(value modes "$mode" tcp- 'r["mbit_s"]')" 0
    ok "$mode: pings came back" \
        above "$(grep -c "^$mode,.*,latency-" "$out/guest-latency.csv")" 0
done
delivered=$(value modes nswitch rate- 'r["received_bytes"]')
ok "nswitch: VF-to-VF bytes stay off the uplink (under 1% of them)" \
    above "$(awk -v d="$delivered" 'BEGIN { print d / 100 }')" \
    "$(value modes nswitch rate- 'r.get("uplink.rx_bytes", 0) + r.get("uplink.tx_bytes", 0)')"
delivered=$(value modes vepa rate- 'r["received_bytes"]')
ok "vepa: every VF-to-VF byte crosses the uplink twice" \
    above "$(value modes vepa rate- 'r["uplink.rx_bytes"] + r["uplink.tx_bytes"]')" \
    "$(awk -v d="$delivered" 'BEGIN { print d * 1.9 }')"
ok "vepa: the card hairpinned nothing" \
    test "$(value modes vepa rate- 'r.get("card.hairpinned", 0)')" = 0.0
ok "vswitch-ovs: Open vSwitch's daemon did the switching (its CPU counted)" \
    above "$(value modes vswitch-ovs rate- 'r["cpu.switch"]')" 0
ok "virtio-sriov: no card in the machine (QEMU's own SR-IOV VFs)" \
    test "$(value modes virtio-sriov rate- 'r.get("card.hairpinned", 0) + r.get("card.flooded", 0)')" = 0.0

# The smoke run caps the uplink at 20 Mbit/s.
mbit() {
    value uplink-cap "$1" cap- "r[\"$2\"] * 8 / r[\"seconds\"] / 1e6"
}
ok "capped uplink: nswitch's VF-to-VF is not bound by the port" \
    above "$(mbit nswitch received_bytes)" 22
ok "capped uplink: vepa's VF-to-VF plus VF-to-external is" \
    above 22 "$(/usr/bin/python3 -c "print($(mbit vepa received_bytes) + $(mbit vepa external.rx_bytes))")"
ok "capped uplink: nothing crosses it faster than the cap" \
    above 22 "$(mbit vepa uplink.rx_bytes)"

# The Fig. 4 paths, each from VF 0 of port 0.
port_value() {
    measurements=ports-measurements.csv value ports nswitch "$@"
}
uplinks='r["uplink.rx_bytes"] + r["uplink.tx_bytes"] + r["uplink1.rx_bytes"] + r["uplink1.tx_bytes"]'
for path in port-same port-across; do
    delivered=$(port_value "$path-1" 'r["received_bytes"]')
    ok "$path: the receiver counted the frames" above "$delivered" 0
    ok "$path: they stay off both uplinks (under 1% of their bytes)" \
        above "$(awk -v d="$delivered" 'BEGIN { print d / 100 }')" \
        "$(port_value "$path-1" "$uplinks")"
done
ok "port-across: port 0 relayed them inside the card" \
    above "$(port_value port-across-1 'r["card.inter-port"]')" \
    "$(port_value port-across-1 'r["received"] * 0.99')"
delivered=$(port_value port-across-off-1 'r["received_bytes"]')
ok "port-across-off: the frames arrive by the uplinks" above "$delivered" 0
ok "port-across-off: out of port 0's uplink and in by port 1's" \
    above "$(port_value port-across-off-1 'min(r["uplink.rx_bytes"], r["uplink1.tx_bytes"])')" \
    "$(awk -v d="$delivered" 'BEGIN { print d * 0.95 }')"
ok "port-external: the external host counted the frames" \
    above "$(port_value port-external-1 'r["external.rx_packets"]')" 0

done_testing
