#!/usr/bin/env bash
# The guest benchmark's smoke run (scripts/bench/run.py --smoke): one short
# round of every mode and of the capped-uplink experiment. Checks that it
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
    fig7-uplink-cap.png fig8-latency-cdf.png; do
    ok "it writes $file" test -s "$out/$file"
done

# value EXPERIMENT MODE POINT-PREFIX EXPRESSION: EXPRESSION (python, over
# the row's numeric columns as a dict r) summed over matching rows.
value() {
    /usr/bin/python3 - "$out/guest-measurements.csv" "$@" <<'PY'
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

for mode in nswitch veb vepa vswitch igb; do
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

done_testing
