#!/usr/bin/env python3
"""The device-only benchmark (scripts/bench-device.sh runs it as root).

For each mode, VF count and frame size it runs the qtest
nswitch-devbench-test --bench (QEMU's CPU per hairpinned frame, driven
with no guest OS) and collects its rounds; vepa and vswitch run inside
the guest benchmark's network namespace (scripts/bench/hostnet.py), whose
bridge reflects vepa's uplink (hairpin) and joins vswitch's VF taps.
Beside them the floor (tests/bench/bench-floor: the copies and ring
writes alone, whose CSV the caller gives). Writes device-only.csv (every
round), device-only.md (medians and spreads, the targets) and
device-only.png.
"""

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import hostnet  # noqa: E402
import report  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
MODES = ["nswitch", "nswitch-generic", "veb", "vepa", "vswitch"]
SIZES = [60, 1514, 65536]
VF_COUNTS = [2, 64, 255]
BURSTS = {60: 200, 1514: 200, 65536: 40}
FIELDS = ["mode", "vfs", "size", "round", "frames", "delivered", "qemu_ns",
          "softirq_ns", "driver_ns", "allocations"]


def per_frame_us(row):
    """Host CPU per delivered frame, µs: QEMU's and the softirq threads',
    less what the driver's qtest commands cost QEMU."""
    cpu = int(row["qemu_ns"]) + int(row["softirq_ns"]) - int(row["driver_ns"])
    return cpu / max(int(row["delivered"]), 1) / 1000


def run_point(mode, vfs, size, rounds, bench, qemu, counter, count_file):
    """The rounds of one point; with @counter (malloc-count.so) preloaded
    into QEMU, counting its allocations into @count_file."""
    binary = qemu
    if counter:
        binary = (f"env LD_PRELOAD={counter} "
                  f"NSWITCH_ALLOC_COUNT_FILE={count_file} {qemu}")
    env = dict(os.environ, QTEST_QEMU_BINARY=binary,
               NSWITCH_ALLOC_COUNT_FILE=count_file)
    command = [bench, "--bench", mode, str(vfs), str(size), str(rounds),
               str(BURSTS[size])]
    network = None
    if mode in ("vepa", "vswitch"):
        network = hostnet.HostNetwork(vfs).__enter__()
        network.set_hairpin(mode == "vepa")
        command = network.prefix() + [
            "env", f"QTEST_QEMU_BINARY={binary}",
            f"NSWITCH_ALLOC_COUNT_FILE={count_file}"] + command
    try:
        out = subprocess.run(command, env=env, check=True,
                             capture_output=True, text=True,
                             timeout=600).stdout
    finally:
        if network:
            network.__exit__(None, None, None)
    rows = [dict(zip(FIELDS, line.split(",")))
            for line in out.splitlines()
            if line and not line.startswith("#")]
    if len(rows) != rounds:
        raise RuntimeError(f"{mode} {vfs} {size}: {len(rows)} rounds of "
                           f"{rounds}:\n{out}")
    return rows


def summarize(rows):
    points = {}
    for row in rows:
        key = (row["mode"], int(row["vfs"]), int(row["size"]))
        points.setdefault(key, []).append(row)
    summary = {}
    for key, point in points.items():
        values = sorted(per_frame_us(r) for r in point)
        summary[key] = {
            "median": statistics.median(values),
            "min": values[0], "max": values[-1],
            "driver": statistics.median(
                int(r["driver_ns"]) / int(r["frames"]) / 1000 for r in point),
            "lost": sum(int(r["frames"]) - int(r["delivered"]) for r in point),
            "allocations": statistics.median(
                int(r.get("allocations") or 0) / max(int(r["delivered"]), 1)
                for r in point),
        }
    return summary


def read_floor(path):
    with open(path) as f:
        return {int(r["frame_len"]): float(r["ns_median"]) / 1000
                for r in csv.DictReader(f)}


def markdown(summary, floor, seconds, rounds):
    lines = [
        "| mode | VFs | 60 B | 1514 B | 64K GSO |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for mode in MODES:
        for vfs in VF_COUNTS:
            cells = []
            for size in SIZES:
                s = summary.get((mode, vfs, size))
                cells.append("-" if not s else
                             f"{s['median']:.2f} ({s['min']:.2f}-"
                             f"{s['max']:.2f})" +
                             (f", {s['lost']} lost" if s["lost"] else ""))
            lines.append(f"| {mode} | {vfs} | " + " | ".join(cells) + " |")
    floor_cells = [f"{floor[s if s != 65536 else 65535]:.3f}" for s in SIZES]
    lines.append("| floor (copies and ring writes) | - | " +
                 " | ".join(floor_cells) + " |")
    lines += ["", f"µs of host CPU per frame, median (min-max) of {rounds} "
              f"rounds, the driver's qtest commands subtracted; "
              f"{seconds / 60:.1f} min.", ""]
    lines += ["| mode | VFs | " + " | ".join(
        "64K GSO" if s == 65536 else f"{s} B" for s in SIZES) + " |",
        "| --- | ---: |" + " ---: |" * len(SIZES)]
    for mode in MODES:
        for vfs in VF_COUNTS:
            cells = [f"{summary[(mode, vfs, s)]['allocations']:.2f}"
                     if (mode, vfs, s) in summary else "-" for s in SIZES]
            if any(c != "-" for c in cells):
                lines.append(f"| {mode} | {vfs} | " + " | ".join(cells) +
                             " |")
    lines += ["", "QEMU's heap allocations per frame (malloc-count "
              "preloaded; median of the rounds, the empty rounds' "
              "subtracted).", ""]
    lines += targets(summary, floor)
    return "\n".join(lines) + "\n"


def targets(summary, floor):
    out = ["| target | measured | met |", "| --- | --- | --- |"]

    def value(mode, vfs, size=60):
        s = summary.get((mode, vfs, size))
        return s["median"] if s else None

    nswitch2, nswitch255 = value("nswitch", 2), value("nswitch", 255)
    vswitch2 = value("vswitch", 2)
    if nswitch2 is not None:
        ratio = nswitch2 / floor[60]
        out.append(f"| nswitch 60 B within 3x the floor | "
                   f"{nswitch2:.2f} µs = {ratio:.0f}x {floor[60]:.3f} µs | "
                   f"{'yes' if ratio <= 3 else 'no'} |")
    if nswitch2 and nswitch255 is not None:
        change = nswitch255 / nswitch2 - 1
        out.append(f"| flat from 2 to 255 VFs (within 10%) | "
                   f"{change:+.0%} | {'yes' if abs(change) <= 0.1 else 'no'} |")
    if nswitch2 and vswitch2:
        ratio = nswitch2 / vswitch2
        out.append(f"| at most 0.2x vswitch | {ratio:.2f}x "
                   f"({nswitch2:.2f} / {vswitch2:.2f} µs) | "
                   f"{'yes' if ratio <= 0.2 else 'no'} |")
    return out


def plot(summary, out):
    plotter = report.Plotter(out, width=1500, height=480)
    panels = []
    for size in SIZES:
        series = []
        for mode in MODES:
            lines = [f"{vfs} {s['median']} {s['min']} {s['max']}"
                     for vfs in VF_COUNTS
                     for s in [summary.get((mode, vfs, size))] if s]
            if lines:
                series.append((mode, plotter.data(f"{mode}-{size}.dat",
                                                  lines)))
        if not series:
            continue
        title = "64K GSO" if size == 65536 else f"{size} B"
        panels.append(f"set title '{title}'\nplot " + ", ".join(
            f"'{path}' using 1:2:3:4 with yerrorlines title '{mode}'"
            for mode, path in series))
    plotter.plot("device-only.png",
                 f"set multiplot layout 1,{len(panels)} title 'Device-only: "
                 "host CPU "
                 "per VF-to-VF frame, no guest OS (median, min-max)'\n"
                 "set logscale x\nset xtics (2, 64, 255)\n"
                 "set xlabel 'VFs'\nset ylabel 'µs'\nset yrange [0:*]\n"
                 "set key top left\n" + "\n".join(panels) +
                 "\nunset multiplot\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO, "docs/benchmarks"))
    parser.add_argument("--qemu", default=os.path.join(REPO, "build/qemu"))
    parser.add_argument("--floor", required=True,
                        help="bench-floor's CSV output")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--vfs", default=",".join(map(str, VF_COUNTS)))
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--counter", default=os.path.join(
        REPO, "build/core/tests/bench/malloc-count.so"),
        help="malloc-count.so, preloaded into QEMU (none: no count)")
    args = parser.parse_args()
    counter = args.counter if os.path.exists(args.counter) else None
    count_dir = tempfile.mkdtemp()
    count_file = os.path.join(count_dir, "allocations")

    qemu = os.path.join(args.qemu, "qemu-system-x86_64")
    bench = os.path.join(args.qemu, "qtest", "nswitch-devbench-test")
    started = time.monotonic()
    rows = []
    os.makedirs(args.out, exist_ok=True)
    # Written as the points come: a run cut short keeps what it measured.
    with open(os.path.join(args.out, "device-only.csv"), "w") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for mode in args.modes.split(","):
            for vfs in map(int, args.vfs.split(",")):
                for size in map(int, args.sizes.split(",")):
                    print(f"==> {mode}, {vfs} VFs, {size} B", file=sys.stderr)
                    try:
                        point = run_point(mode, vfs, size, args.rounds,
                                          bench, qemu, counter, count_file)
                    except (RuntimeError,
                            subprocess.SubprocessError) as error:
                        print(f"    failed: {error}", file=sys.stderr)
                        continue
                    writer.writerows(point)
                    f.flush()
                    rows += point
    shutil.rmtree(count_dir)
    seconds = time.monotonic() - started
    summary = summarize(rows)
    floor = read_floor(args.floor)
    text = markdown(summary, floor, seconds, args.rounds)
    with open(os.path.join(args.out, "device-only.md"), "w") as f:
        f.write(text)
    plot(summary, args.out)
    print(text)


if __name__ == "__main__":
    main()
