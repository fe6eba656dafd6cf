"""Turns the guest benchmark's measurements into CSVs, gnuplot PNGs and a
Markdown summary with the issue's targets, all in one output directory:

  guest-measurements.csv  one row per measured window (every counter)
  guest-latency.csv       one row per ping round trip
  guest-summary.csv       medians and spreads per mode and point
  guest-summary.md        the tables docs/benchmarks.md quotes
  *.png                   the figures

Host CPU "outside the vCPU threads" is QEMU's other threads plus the host's
ksoftirqd threads, plus Open vSwitch's daemon in vswitch-ovs; per frame it
divides by the frames the receiver counted.
"""

import csv
import os
import platform
import statistics
import subprocess
import tempfile

CAP_MODES_ORDER = ["nswitch", "vepa"]
REFERENCE_RATE = 40000
# The overload point of issue 14: what each mode delivers when offered this.
OVERLOAD_RATE = 200000


def num(row, key):
    value = row.get(key, "")
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def outside_cpu(row):
    return (num(row, "cpu.qemu_other") + num(row, "cpu.ksoftirqd") +
            num(row, "cpu.switch"))


def spread(values):
    """(median, min, max) of a non-empty list."""
    return statistics.median(values), min(values), max(values)


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1,
                max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def rtts(row):
    text = row.get("rtt_ms", "")
    return [float(v) for v in text.split(",") if v and v != "none"]


def rate_target(point):
    """'rate-40000-1' -> 40000; 'rate-max-1' -> 'max'."""
    target = point.split("-")[1]
    return target if target == "max" else int(target)


def write_csv(path, rows, keys=None):
    if keys is None:
        keys = []
        for row in rows:
            keys += [k for k in row if k not in keys]
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


class Summary:
    def __init__(self, rows):
        self.rows = rows
        self.modes = list(dict.fromkeys(
            r["mode"] for r in rows if r["experiment"] == "modes"))

    def points(self, mode, prefix):
        return [r for r in self.rows if r["experiment"] == "modes" and
                r["mode"] == mode and r["point"].startswith(prefix)]

    def rate_targets(self):
        targets = {rate_target(r["point"]) for r in self.rows
                   if r["point"].startswith("rate-")}
        return sorted((t for t in targets if t != "max")) + \
            (["max"] if "max" in targets else [])

    def rate_rows(self, mode, target):
        return [r for r in self.points(mode, "rate-")
                if rate_target(r["point"]) == target]

    def rate_point(self, mode, target):
        rows = self.rate_rows(mode, target)
        if not rows:
            return None
        rtt = sorted(v for r in rows for v in rtts(r))
        return {
            "mode": mode, "offered": target,
            "offered_kpps": spread([num(r, "sent") / num(r, "seconds") / 1e3
                                    for r in rows]),
            "delivered_kpps": spread([num(r, "received") / num(r, "seconds")
                                      / 1e3 for r in rows]),
            "outside_cores": spread([outside_cpu(r) / num(r, "seconds")
                                     for r in rows]),
            "vcpu_cores": spread([num(r, "cpu.vcpu") / num(r, "seconds")
                                  for r in rows]),
            "outside_s_per_mframe": spread([
                outside_cpu(r) / max(num(r, "received"), 1) * 1e6
                for r in rows]),
            "total_s_per_mframe": spread([
                (outside_cpu(r) + num(r, "cpu.vcpu")) /
                max(num(r, "received"), 1) * 1e6 for r in rows]),
            "uplink_bytes_per_byte": spread([
                (num(r, "uplink.rx_bytes") + num(r, "uplink.tx_bytes")) /
                max(num(r, "received_bytes"), 1) for r in rows]),
            "rtt_p50": percentile(rtt, 0.5), "rtt_p99": percentile(rtt, 0.99),
            "samples": len(rows),
        }

    def peak_rate(self, mode):
        """The offered rate whose median delivered rate is highest."""
        points = [self.rate_point(mode, t) for t in self.rate_targets()]
        points = [p for p in points if p]
        return max(points, key=lambda p: p["delivered_kpps"][0]) \
            if points else None

    def reference_rate(self):
        """The offered rate at which CPU per frame is compared: 40000/s,
        which every mode carries nearly whole, or the highest swept below
        it."""
        rates = [t for t in self.rate_targets()
                 if t != "max" and t <= REFERENCE_RATE]
        return max(rates) if rates else None

    def tcp(self, mode):
        rows = [r for r in self.points(mode, "tcp-") if num(r, "mbit_s")]
        if not rows:
            return None
        return {
            "mbit_s": spread([num(r, "mbit_s") for r in rows]),
            "outside_s_per_gb": spread([
                outside_cpu(r) / max(num(r, "mbytes") / 1e3, 1e-9)
                for r in rows]),
            "total_s_per_gb": spread([
                (outside_cpu(r) + num(r, "cpu.vcpu")) /
                max(num(r, "mbytes") / 1e3, 1e-9) for r in rows]),
        }

    def idle_rtts(self, mode):
        return sorted(v for r in self.points(mode, "latency-")
                      for v in rtts(r))

    def cap_point(self, mode, cap):
        rows = [r for r in self.rows if r["experiment"] == "uplink-cap" and
                r["mode"] == mode and int(num(r, "uplink_speed")) == cap]
        if not rows:
            return None

        def mbit(key):
            return spread([num(r, key) * 8 / num(r, "seconds") / 1e6
                           for r in rows])
        return {"vf_to_vf": mbit("received_bytes"),
                "vf_to_external": mbit("external.rx_bytes"),
                "uplink_out": mbit("uplink.rx_bytes"),
                "uplink_in": mbit("uplink.tx_bytes")}

    def caps(self):
        return sorted({int(num(r, "uplink_speed")) for r in self.rows
                       if r["experiment"] == "uplink-cap"},
                      key=lambda c: (c == 0, c))


def fmt(triple, digits=1):
    median, low, high = triple
    return f"{median:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def ratio_line(name, value, target, better_low=False):
    if value is None:
        return f"| {name} | n/a | {target} | not measured |"
    met = value <= target if better_low else value >= target
    return (f"| {name} | {value:.2f}x | {'≤' if better_low else '≥'} "
            f"{target}x | {'met' if met else 'missed'} |")


def machine_lines(seconds, card_options):
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return [f"- host: {os.cpu_count()} CPUs ({cpu}), Linux "
            f"{platform.release()}; guest: 2 vCPUs under TCG (MTTCG), "
            "1 GiB",
            f"- run took {seconds / 60:.1f} min"] + (
                [f"- card options: `{card_options}`"] if card_options else [])


def steal_line(rows):
    """How quiet the host was: steal over the measured windows."""
    if not any("cpu.system_steal" in r for r in rows):
        return "- host steal: not recorded"
    measured = sum(num(r, "seconds") for r in rows) * (os.cpu_count() or 1)
    steal = sum(num(r, "cpu.system_steal") for r in rows)
    return (f"- host steal: {steal:.1f} s of {measured:.0f} CPU-s measured "
            f"({steal / measured:.1%})" if measured else "- host steal: -")


def markdown(summary, seconds, card_options):
    s = summary
    out = (["# Guest benchmark summary", ""] +
           machine_lines(seconds, card_options) + [steal_line(s.rows), ""])
    reference = s.reference_rate()
    out += ["## Small frames, VF to VF (pktgen, 60-byte frames)", "",
            "Medians over rounds, (min–max) beside them. Peak: the highest "
            "receiver-counted rate over the offered-rate sweep. CPU per "
            f"Mframe at {reference} frames/s offered, per frame the "
            "receiver counted.", "",
            "| mode | peak kframes/s | at max offered kframes/s | host CPU "
            "outside vCPUs s/Mframe | all QEMU + softirq s/Mframe | uplink "
            "bytes per delivered byte |",
            "|---|---|---|---|---|---|"]
    for mode in s.modes:
        peak = s.peak_rate(mode)
        at_max = s.rate_point(mode, "max")
        ref = s.rate_point(mode, reference) if reference else None
        out.append("| {} | {} | {} | {} | {} | {} |".format(
            mode, fmt(peak["delivered_kpps"]) if peak else "n/a",
            fmt(at_max["delivered_kpps"]) if at_max else "n/a",
            fmt(ref["outside_s_per_mframe"], 2) if ref else "n/a",
            fmt(ref["total_s_per_mframe"], 2) if ref else "n/a",
            fmt(ref["uplink_bytes_per_byte"], 2) if ref else "n/a"))
    out += ["", "## TCP (iperf3, VF to VF) and idle round trips (ping)", "",
            "| mode | TCP Mbit/s | host CPU outside vCPUs s/GB | RTT p50 ms "
            "| RTT p90 ms | RTT p99 ms | RTT max ms |",
            "|---|---|---|---|---|---|---|"]
    for mode in s.modes:
        tcp = s.tcp(mode)
        rtt = s.idle_rtts(mode)
        out.append("| {} | {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} |".format(
            mode, fmt(tcp["mbit_s"], 0) if tcp else "n/a",
            fmt(tcp["outside_s_per_gb"], 2) if tcp else "n/a",
            percentile(rtt, 0.5), percentile(rtt, 0.9),
            percentile(rtt, 0.99), rtt[-1] if rtt else float("nan")))
    out += ["", "## Fig. 7 analog: uplink capped, VF→VF and VF→external at "
            "once", "",
            "| mode | uplink-speed Mbit/s | VF→VF Mbit/s | VF→external "
            "Mbit/s | uplink out Mbit/s | uplink in Mbit/s |",
            "|---|---|---|---|---|---|"]
    for mode in CAP_MODES_ORDER:
        for cap in s.caps():
            point = s.cap_point(mode, cap)
            if point:
                out.append("| {} | {} | {} | {} | {} | {} |".format(
                    mode, cap or "none", fmt(point["vf_to_vf"]),
                    fmt(point["vf_to_external"]), fmt(point["uplink_out"]),
                    fmt(point["uplink_in"])))
    out += ["", "## Targets (same run)", "",
            "| target | measured | wanted | |", "|---|---|---|---|"]
    out += target_lines(s, reference)
    return "\n".join(out) + "\n"


def target_lines(s, reference):
    def peak(mode):
        p = s.peak_rate(mode) if mode in s.modes else None
        return p["delivered_kpps"][0] if p else None

    def at_reference(mode, key):
        p = s.rate_point(mode, reference) if reference and mode in s.modes \
            else None
        return p[key][0] if p else None

    def per_mframe(mode):
        return at_reference(mode, "outside_s_per_mframe")

    def ratio(a, b):
        return a / b if a is not None and b else None

    def all_threads(mode):
        return at_reference(mode, "total_s_per_mframe")

    def delivered_at(mode, rate):
        p = s.rate_point(mode, rate) if mode in s.modes else None
        return p["delivered_kpps"][0] if p else None

    lines = [
        ratio_line("nswitch / vswitch peak small-frame rate",
                   ratio(peak("nswitch"), peak("vswitch")), 2),
        ratio_line("nswitch / igb peak small-frame rate",
                   ratio(peak("nswitch"), peak("igb")), 1.5),
        ratio_line("nswitch / vswitch host CPU outside vCPUs per Mframe",
                   ratio(per_mframe("nswitch"), per_mframe("vswitch")), 0.3,
                   better_low=True),
        ratio_line("nswitch / igb host CPU of all threads per Mframe",
                   ratio(all_threads("nswitch"), all_threads("igb")), 1,
                   better_low=True),
        ratio_line(f"nswitch / vswitch delivered at {OVERLOAD_RATE} "
                   "frames/s offered",
                   ratio(delivered_at("nswitch", OVERLOAD_RATE),
                         delivered_at("vswitch", OVERLOAD_RATE)), 2),
    ]
    for mode, want in (("nswitch", 0), ("vepa", 2)):
        p = s.rate_point(mode, reference) if reference and mode in s.modes \
            else None
        if p:
            lines.append(f"| {mode}: uplink bytes per VF→VF byte | "
                         f"{p['uplink_bytes_per_byte'][0]:.3f} | {want} | |")
    return lines


class Plotter:
    def __init__(self, out, width=900, height=560):
        self.out = out
        self.width = width
        self.height = height
        self.work = tempfile.mkdtemp(prefix="nswitch-plot-")

    def data(self, name, lines):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def plot(self, png, script):
        header = (f"set terminal png size {self.width},{self.height}\nset output "
                  f"'{os.path.join(self.out, png)}'\nset grid\n"
                  "set key outside right\n")
        subprocess.run(["gnuplot"], input=header + script, text=True,
                       check=True)


def plots(summary, out):
    s = summary
    p = Plotter(out)
    series = []
    for mode in s.modes:
        lines = []
        for target in s.rate_targets():
            point = s.rate_point(mode, target)
            if point:
                lines.append("{} {} {} {} {} {} {}".format(
                    point["offered_kpps"][0], point["delivered_kpps"][0],
                    point["delivered_kpps"][1], point["delivered_kpps"][2],
                    point["outside_cores"][0] * 100, point["rtt_p50"],
                    point["rtt_p99"]))
        series.append((mode, p.data(f"rate-{mode}.dat", lines)))
    p.plot("rate.png", "set title 'VF-to-VF small frames: delivered against "
           "offered (median, min-max)'\nset xlabel 'offered kframes/s'\n"
           "set ylabel 'delivered kframes/s'\nplot " + ", ".join(
               f"'{path}' using 1:2:3:4 with yerrorlines title '{mode}'"
               for mode, path in series))
    p.plot("fig5-cpu.png", "set title 'Fig. 5 analog: host CPU outside the "
           "vCPU threads'\nset xlabel 'offered kframes/s'\n"
           "set ylabel '% of one host CPU'\nplot " + ", ".join(
               f"'{path}' using 1:5 with linespoints title '{mode}'"
               for mode, path in series))
    p.plot("fig5-latency.png", "set title 'Fig. 5 analog: round trip of "
           "a second VF pair under load'\nset xlabel 'offered kframes/s'\n"
           "set ylabel 'ms'\nset logscale y\nplot " + ", ".join(
               f"'{path}' using 1:6 with linespoints title '{mode} p50', "
               f"'{path}' using 1:7 with linespoints dt 2 title '{mode} p99'"
               for mode, path in series))
    cdf = []
    for mode in s.modes:
        values = s.idle_rtts(mode)
        lines = [f"{v} {(i + 1) / len(values)}" for i, v in enumerate(values)]
        if lines:
            cdf.append((mode, p.data(f"cdf-{mode}.dat", lines)))
    if cdf:
        p.plot("fig8-latency-cdf.png", "set title 'Fig. 8 analog: idle VF-"
               "to-VF round trip, CDF'\nset xlabel 'ms'\nset logscale x\n"
               "set ylabel 'fraction of pings'\nset yrange [0:1]\nplot " +
               ", ".join(f"'{path}' using 1:2 with steps title '{mode}'"
                         for mode, path in cdf))
    caps = [c for c in s.caps() if c]
    cap_series = []
    for mode in CAP_MODES_ORDER:
        lines = []
        for cap in caps:
            point = s.cap_point(mode, cap)
            if point:
                lines.append(f"{cap} {point['vf_to_vf'][0]} "
                             f"{point['vf_to_external'][0]}")
        if lines:
            cap_series.append((mode, p.data(f"cap-{mode}.dat", lines)))
    if cap_series:
        p.plot("fig7-uplink-cap.png", "set title 'Fig. 7 analog: capped "
               "uplink, 1000-byte frames'\nset xlabel 'uplink-speed "
               "Mbit/s'\nset ylabel 'delivered Mbit/s'\nset logscale y\n"
               "plot " + ", ".join(
                   f"'{path}' using 1:($2+0.01) with linespoints title "
                   f"'{mode} VF to VF', '{path}' using 1:($3+0.01) with "
                   f"linespoints dt 2 title '{mode} VF to external'"
                   for mode, path in cap_series))


PORT_PATHS = [
    ("port-same", "VF→VF, one port (hairpin)"),
    ("port-across", "VF→VF across ports, inter-port relay on"),
    ("port-across-off", "VF→VF across ports, inter-port relay off"),
    ("port-external", "VF→external host"),
]


def port_point(rows, path):
    """The Fig. 4 path @path ('port-same'...) over every repeat and round:
    delivered rate, bytes on each uplink per delivered frame, host CPU per
    delivered frame (µs)."""
    rows = [r for r in rows if r["point"].rsplit("-", 1)[0] == path]
    if not rows:
        return None

    def delivered(r):
        key = "external.rx_packets" if path == "port-external" else "received"
        return max(num(r, key), 1)

    def uplink_bytes(r, uplink):
        return (num(r, f"{uplink}.rx_bytes") + num(r, f"{uplink}.tx_bytes")) \
            / delivered(r)
    return {
        "offered_kpps": spread([num(r, "sent") / num(r, "seconds") / 1e3
                                for r in rows]),
        "delivered_kpps": spread([delivered(r) / num(r, "seconds") / 1e3
                                  for r in rows]),
        "uplink0_bytes": spread([uplink_bytes(r, "uplink") for r in rows]),
        "uplink1_bytes": spread([uplink_bytes(r, "uplink1") for r in rows]),
        "outside_us": spread([outside_cpu(r) / delivered(r) * 1e6
                              for r in rows]),
        "total_us": spread([(outside_cpu(r) + num(r, "cpu.vcpu")) /
                            delivered(r) * 1e6 for r in rows]),
        "inter_port": spread([num(r, "card.inter-port") for r in rows]),
        "samples": len(rows),
    }


def write_ports(rows, out, settings, seconds):
    """ports-measurements.csv and ports-summary.md: the Fig. 4 paths."""
    write_csv(os.path.join(out, "ports-measurements.csv"), rows)
    lines = ["# Fig. 4 paths: a card of two ports", ""]
    lines += machine_lines(seconds, settings.card_options)
    lines += [f"- each path: VF 0 of port 0 sends {settings.frame}-byte "
              f"frames at {settings.ports_rate} frames/s for "
              f"{settings.seconds} s; median (min–max) of "
              f"{settings.rounds} rounds",
              "- uplink bytes: both directions of the port's uplink tap, "
              "per delivered frame",
              "", "| path | offered kframes/s | delivered kframes/s | "
              "uplink 0 bytes/frame | uplink 1 bytes/frame | host CPU "
              "outside vCPUs µs/frame | all threads µs/frame | "
              "port 0 inter-port frames |",
              "|---|---|---|---|---|---|---|---|"]
    for path, title in PORT_PATHS:
        p = port_point(rows, path)
        if p:
            lines.append("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
                title, fmt(p["offered_kpps"]), fmt(p["delivered_kpps"]),
                fmt(p["uplink0_bytes"]), fmt(p["uplink1_bytes"]),
                fmt(p["outside_us"], 2), fmt(p["total_us"], 1),
                fmt(p["inter_port"], 0)))
    with open(os.path.join(out, "ports-summary.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def write(rows, out, settings, seconds):
    ports = [r for r in rows if r["experiment"] == "ports"]
    rows = [r for r in rows if r["experiment"] != "ports"]
    if ports:
        write_ports(ports, out, settings, seconds)
    if not rows:
        return
    write_csv(os.path.join(out, "guest-measurements.csv"),
              [{k: v for k, v in r.items() if k != "rtt_ms"} for r in rows])
    write_csv(os.path.join(out, "guest-latency.csv"),
              [{"mode": r["mode"], "round": r["round"], "point": r["point"],
                "rtt_ms": v} for r in rows for v in rtts(r)],
              ["mode", "round", "point", "rtt_ms"])
    summary = Summary(rows)
    table = []
    for mode in summary.modes:
        for target in summary.rate_targets():
            point = summary.rate_point(mode, target)
            if point:
                row = {}
                for key, value in point.items():
                    if isinstance(value, tuple):
                        row[key], row[f"{key}_min"], row[f"{key}_max"] = (
                            f"{v:.4g}" for v in value)
                    else:
                        row[key] = value
                table.append(row)
    write_csv(os.path.join(out, "guest-summary.csv"), table)
    with open(os.path.join(out, "guest-summary.md"), "w") as f:
        f.write(markdown(summary, seconds, settings.card_options))
    plots(summary, out)
