"""Host CPU time of a QEMU process, split into its vCPU threads and the
rest, and the host kernel's softirq threads.

QEMU runs with -name ...,debug-threads=on, so TCG vCPU threads are named
"CPU n/TCG". The process's utime+stime (which keeps the time of threads
that have exited, such as thread-pool workers) minus the vCPU threads' is
the device model's and the host kernel's work done on QEMU's behalf:
a tap write runs the host bridge in the writing thread.
"""

import os
import re

TICK = os.sysconf("SC_CLK_TCK")
VCPU_THREAD = re.compile(r"CPU \d+/TCG")


def _cpu_seconds(stat_path):
    """utime + stime in seconds from a /proc/.../stat file."""
    with open(stat_path) as f:
        text = f.read()
    # The command name may hold spaces; fields resume after its ')'.
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _comm(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def softirq_threads():
    return [int(pid) for pid in os.listdir("/proc")
            if pid.isdigit() and
            _comm(f"/proc/{pid}/comm").startswith("ksoftirqd/")]


def system_softirq_seconds():
    """Softirq time of all host CPUs (tick-sampled) from /proc/stat."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    return int(fields[7]) / TICK


def system_steal_seconds():
    """Time the hypervisor under this host gave its CPUs to others
    (steal, tick-sampled) from /proc/stat: a quiet host has none."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    return int(fields[8]) / TICK


class CpuMeter:
    """SWITCH_PIDS: processes of a software switch outside QEMU (Open
    vSwitch's userspace datapath), counted as cpu.switch."""

    def __init__(self, pid, switch_pids=()):
        self.pid = pid
        self.switch_pids = list(switch_pids)
        self.softirq_pids = softirq_threads()

    def sample(self):
        total = _cpu_seconds(f"/proc/{self.pid}/stat")
        vcpu = 0.0
        for tid in os.listdir(f"/proc/{self.pid}/task"):
            if VCPU_THREAD.fullmatch(_comm(f"/proc/{self.pid}/task/{tid}/comm")):
                try:
                    vcpu += _cpu_seconds(f"/proc/{self.pid}/task/{tid}/stat")
                except OSError:
                    pass
        softirq = sum(_cpu_seconds(f"/proc/{pid}/stat")
                      for pid in self.softirq_pids)
        switch = sum(_cpu_seconds(f"/proc/{pid}/stat")
                     for pid in self.switch_pids)
        return {"cpu.vcpu": vcpu, "cpu.qemu_other": total - vcpu,
                "cpu.ksoftirqd": softirq, "cpu.switch": switch,
                "cpu.system_softirq": system_softirq_seconds(),
                "cpu.system_steal": system_steal_seconds()}
