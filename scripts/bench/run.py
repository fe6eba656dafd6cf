#!/usr/bin/python3
"""The guest benchmark: one guest workload (scripts/bench/guest-workload.sh)
through every switching architecture, in one run.

  run.py [--smoke] [--out DIR] [--rounds N] [--modes a,b] [--experiments a,b]

Each configuration is booted --rounds times, round-robin, so that slow
phases of a noisy host hit every mode alike. Writes the CSVs, the plots
and a summary table into DIR (see report.py). Needs root (network
namespaces, taps) and a built QEMU and guest (scripts/bench-guest.sh).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from qmp import QmpClient  # noqa: E402
from hostnet import (EXTERNAL_IP, EXTERNAL_MAC, UPLINK_TAP,  # noqa: E402
                     UPLINK1_TAP, HostNetwork, ovs_available, vf_tap)
from measure import CpuMeter  # noqa: E402
import report  # noqa: E402

VFS = 4
PORT_VFS = 2
# vswitch: the card's VFs on taps of the host's Linux bridge;
# vswitch-ovs: the same taps on Open vSwitch (userspace datapath);
# virtio-sriov: QEMU's own composable SR-IOV (virtio-net-pci, sriov-pf=)
# on those taps of the Linux bridge.
MODES = ["nswitch", "veb", "vepa", "vswitch", "vswitch-ovs", "virtio-sriov",
         "igb"]
CAP_MODES = ["nswitch", "vepa"]


@dataclass
class Settings:
    rounds: int = 3
    repeats: int = 1
    seconds: int = 5
    rates: list = field(default_factory=lambda: [10000, 20000, 40000, 60000,
                                                 "max"])
    frame: int = 60
    pings: int = 200
    tcp_seconds: int = 5
    ports_rate: int = 20000     # frames/s of each Fig. 4 path
    cap_frame: int = 1000
    cap_repeats: int = 1
    caps: list = field(default_factory=lambda: [0, 100, 25])
    card_options: str = ""      # more nswitch-nic properties, "a=1,b=2"

    @classmethod
    def smoke(cls):
        return cls(rounds=1, seconds=1, rates=[20000, "max"], pings=20,
                   tcp_seconds=2, cap_repeats=1, caps=[20])


def two_port_card_args(card_options=""):
    """A card of two ports, each with PORT_VFS VFs and its own uplink tap:
    the paper's Fig. 4."""
    args = ["-device", "pcie-root-port,id=rp0,chassis=1"]
    for port, tap in enumerate((UPLINK_TAP, UPLINK1_TAP)):
        args += ["-netdev", f"tap,id=uplink{port},ifname={tap},script=no,"
                 "downscript=no,vnet_hdr=on"]
    for port in range(2):
        card = (f"nswitch-nic,id=port{port},bus=rp0,addr=0.{port},"
                f"vfs={PORT_VFS},netdev=uplink{port}")
        if port == 0:
            card += ",ports=2"
        if card_options:
            card += "," + card_options
        args += ["-device", card]
    return args


def vf_taps_args():
    """A tap per VF on the host bridge (the vswitch architectures)."""
    return [arg for vf in range(VFS) for arg in (
        "-netdev", f"tap,id=vf{vf},ifname={vf_tap(vf)},script=no,"
        "downscript=no,vnet_hdr=on")]


def upstream_sriov_args():
    """QEMU's own composable SR-IOV (10.1 and later): virtio-net-pci VFs
    named by sriov-pf=, each on its own tap, switched by the host bridge.
    The VFs come before their PF."""
    args = vf_taps_args()
    for vf in range(VFS):
        args += ["-device", f"virtio-net-pci,bus=rp0,addr=0.{vf + 1},"
                 f"netdev=vf{vf},sriov-pf=pf0"]
    return args + ["-device",
                   "virtio-net-pci,id=pf0,bus=rp0,addr=0.0,netdev=uplink"]


def qemu_args(mode, cap, card_options=""):
    """The device under test in MODE; CAP: the uplink's Mbit/s (0: none);
    CARD_OPTIONS: more properties of the card (not for igb)."""
    uplink = ["-netdev", f"tap,id=uplink,ifname={UPLINK_TAP},script=no,"
              "downscript=no,vnet_hdr=on"]
    root_port = ["-device", "pcie-root-port,id=rp0,chassis=1"]
    if mode == "igb":
        return root_port + uplink + ["-device", "igb,bus=rp0,netdev=uplink"]
    if mode == "virtio-sriov":
        return root_port + uplink + upstream_sriov_args()
    card_mode = "vswitch" if mode == "vswitch-ovs" else mode
    card = (f"nswitch-nic,id=card0,bus=rp0,netdev=uplink,vfs={VFS},"
            f"mode={card_mode}")
    if cap:
        card += f",uplink-speed={cap}"
    if card_options:
        card += "," + card_options
    extra = []
    if card_mode == "vswitch":
        extra = vf_taps_args()
        card += ",vf-netdevs=" + ":".join(f"vf{vf}" for vf in range(VFS))
    return root_port + uplink + extra + ["-device", card]


def card_counters(qmp):
    """Each PF's path counters and drops, flattened like 'card.hairpinned'
    (PF 0) or 'card1.inter-port' (PF 1 of a multi-port card)."""
    flat = {}
    for card in qmp.execute("query-nswitch"):
        pf = card["pf-number"]
        prefix = "card" if pf == 0 else f"card{pf}"
        paths = card["paths"]
        flat.update({f"{prefix}.{k}": v for k, v in paths.items()
                     if k != "dropped"})
        flat.update({f"{prefix}.dropped.{k}": v
                     for k, v in paths["dropped"].items()})
    return flat


class GuestDidNotStart(RuntimeError):
    """A boot that never reached the workload: under MTTCG a guest
    sometimes hangs early in boot (an RCU stall on a vCPU whose timer never
    fires), which says nothing about the device."""


class GuestRun:
    """One boot of the test guest running the workload with the host
    sampling CPU time and counters at each of the guest's marks."""

    def __init__(self, net, mode, experiment, settings, cap, log):
        self.net, self.mode, self.cap, self.log = net, mode, cap, log
        self.experiment = experiment
        self.settings = settings
        self.work = tempfile.mkdtemp(prefix="nswitch-bench-")
        self.qmp = None
        self.meter = None
        self.snapshots = {}
        self.results = {}

    def scenario(self):
        s = self.settings
        frame = s.cap_frame if self.experiment == "uplink-cap" else s.frame
        header = {
            "BENCH_DRIVER": "igb" if self.mode == "igb" else "virtio",
            "BENCH_EXPERIMENT": self.experiment,
            "BENCH_SECONDS": s.seconds,
            "BENCH_REPEATS": s.cap_repeats if self.experiment == "uplink-cap"
            else s.repeats,
            "BENCH_RATES": " ".join(str(r) for r in s.rates),
            "BENCH_FRAME": frame,
            "BENCH_PINGS": s.pings,
            "BENCH_TCP_SECONDS": s.tcp_seconds,
            "BENCH_EXTERNAL_MAC": EXTERNAL_MAC,
            "BENCH_EXTERNAL_IP": EXTERNAL_IP,
            "BENCH_PORTS_RATE": s.ports_rate,
        }
        path = os.path.join(self.work, "scenario.sh")
        with open(os.path.join(HERE, "guest-workload.sh")) as f:
            body = f.read()
        with open(path, "w") as f:
            f.write("#!/bin/sh\n")
            f.writelines(f"{k}='{v}'\n" for k, v in header.items())
            f.write(body)
        return path

    def snapshot(self):
        if self.qmp is None:
            with open(os.path.join(self.work, "qemu.pid")) as f:
                switch = [self.net.ovs_pid()] \
                    if self.mode == "vswitch-ovs" else []
                self.meter = CpuMeter(int(f.read()), switch)
            self.qmp = QmpClient(os.path.join(self.work, "qmp.sock"))
        values = {"time": time.monotonic()}
        values.update(self.meter.sample())
        values.update(self.net.counters())
        values.update(card_counters(self.qmp))
        return values

    def handle(self, line):
        words = line.split()
        if len(words) == 3 and words[0] == "NSWITCH-MARK":
            self.snapshots[(words[1], words[2])] = self.snapshot()
        elif words[:1] == ["BENCH"] and len(words) >= 2:
            self.results[words[1]] = dict(
                w.split("=", 1) for w in words[2:] if "=" in w)

    def run(self):
        self.net.set_hairpin(self.mode != "igb")
        self.net.set_vf_switch("ovs" if self.mode == "vswitch-ovs"
                               else "bridge")
        device = (two_port_card_args(self.settings.card_options)
                  if self.experiment == "ports" else
                  qemu_args(self.mode, self.cap, self.settings.card_options))
        command = self.net.prefix() + [
            os.path.join(REPO_ROOT, "scripts", "run-guest.sh"),
            self.scenario(), *device,
            "-qmp", f"unix:{self.work}/qmp.sock,server=on,wait=off",
            "-pidfile", f"{self.work}/qemu.pid"]
        env = dict(os.environ, GUEST_TIMEOUT=str(self.timeout()))
        with subprocess.Popen(command, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              env=env) as guest:
            for line in guest.stdout:
                self.log.write(line)
                self.handle(line.rstrip("\r\n"))
        if self.qmp:
            self.qmp.close()
        if "setup" not in self.results:
            raise GuestDidNotStart(f"{self.mode}: the guest never set up "
                                   f"(exit {guest.returncode})")
        if guest.returncode != 0 or "done" not in self.results:
            raise RuntimeError(f"{self.mode}: the guest workload failed "
                               f"(exit {guest.returncode}); see {self.log.name}")
        return self.measurements()

    def timeout(self):
        s = self.settings
        per_point = s.seconds + 3
        points = (len(s.rates) * s.repeats * per_point +
                  s.repeats * (s.pings * 0.05 + s.tcp_seconds + 5) +
                  s.cap_repeats * per_point)
        return int(120 + 2 * points)

    def measurements(self):
        rows = []
        for name, result in self.results.items():
            begin = self.snapshots.get(("begin", name))
            end = self.snapshots.get(("end", name))
            if begin is None or end is None:
                continue
            row = {"mode": self.mode, "experiment": self.experiment,
                   "uplink_speed": self.cap, "point": name,
                   "seconds": end["time"] - begin["time"]}
            for key in begin:
                if key != "time" and key in end:
                    row[key] = end[key] - begin[key]
            row.update(result)
            rows.append(row)
        return rows


def configurations(args, settings):
    for experiment in args.experiments:
        if experiment == "modes":
            for mode in args.modes:
                yield mode, experiment, 0
        elif experiment == "ports":
            yield "nswitch", experiment, 0
        else:
            for mode in (m for m in CAP_MODES if m in args.modes):
                for cap in settings.caps:
                    yield mode, experiment, cap


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true",
                        help="one short round of everything (a test)")
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "docs",
                                                      "benchmarks"))
    parser.add_argument("--log", default=os.path.join(
        REPO_ROOT, "build", "test-logs", "bench-guest-console.log"))
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--report-from", metavar="RAW_JSON",
                        help="only redo the report from a run's raw rows")
    parser.add_argument("--seconds", type=int, help="length of each point")
    parser.add_argument("--rates", help="offered frames/s, e.g. 20000,max")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--experiments", default="modes,uplink-cap,ports")
    parser.add_argument("--card-options", metavar="PROP=VALUE,...",
                        help="more nswitch-nic properties, e.g. rx-queue=0")
    args = parser.parse_args()
    args.modes = args.modes.split(",")
    args.experiments = args.experiments.split(",")
    for mode in args.modes:
        if mode not in MODES:
            parser.error(f"unknown mode {mode}; modes are {', '.join(MODES)}")
    if "vswitch-ovs" in args.modes and not ovs_available():
        parser.error("vswitch-ovs needs Open vSwitch (Debian's "
                     "openvswitch-switch)")
    for experiment in args.experiments:
        if experiment not in ("modes", "uplink-cap", "ports"):
            parser.error(f"unknown experiment {experiment}")
    settings = Settings.smoke() if args.smoke else Settings()
    raw = os.path.splitext(args.log)[0] + "-raw.json"
    if args.report_from:
        with open(args.report_from) as f:
            saved = json.load(f)
        report.write(saved["rows"], args.out, settings, saved["seconds"])
        return 0
    if args.rounds:
        settings.rounds = args.rounds
    if args.seconds:
        settings.seconds = args.seconds
    if args.card_options:
        settings.card_options = args.card_options
    if args.rates:
        settings.rates = [r if r == "max" else int(r)
                          for r in args.rates.split(",")]

    os.makedirs(args.out, exist_ok=True)
    os.makedirs(os.path.dirname(args.log), exist_ok=True)
    rows = []
    started = time.time()
    with HostNetwork(VFS, ovs="vswitch-ovs" in args.modes) as net, \
            open(args.log, "w", buffering=1) as log:
        for round_number in range(1, settings.rounds + 1):
            for mode, experiment, cap in configurations(args, settings):
                print(f"round {round_number}: {experiment} {mode}"
                      + (f" uplink-speed={cap}" if cap else ""),
                      file=sys.stderr, flush=True)
                for attempt in (1, 2):
                    run = GuestRun(net, mode, experiment, settings, cap, log)
                    try:
                        measured = run.run()
                        break
                    except GuestDidNotStart as error:
                        if attempt == 2:
                            raise
                        print(f"{error}; booting again", file=sys.stderr)
                for row in measured:
                    row["round"] = round_number
                    rows.append(row)
                with open(raw, "w") as f:
                    json.dump({"rows": rows,
                               "seconds": time.time() - started}, f)
    report.write(rows, args.out, settings, time.time() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
