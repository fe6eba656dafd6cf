"""The host side of the benchmark's network: a network namespace holding a
Linux bridge (the external switch of VEPA, and the hypervisor's software
switch of the vswitch mode), the taps QEMU opens, and an external host.

  uplink tap   the card's (or igb's) uplink; hairpin mode on for the
               card, so that VEPA's reflective relay works; off for igb
  uplink1 tap  the uplink of a two-port card's second port
  VF taps      one per VF, for the vswitch mode
  ext0/ext1    a veth pair: ext0 on the bridge, ext1 the external host
               (no address: it counts frames and drops them)
"""

import os
import subprocess

EXTERNAL_MAC = "02:00:00:00:00:64"
EXTERNAL_IP = "169.254.10.100"
UPLINK_TAP = "nswbup"
UPLINK1_TAP = "nswbup1"
COUNTER_FIELDS = ("rx_bytes", "rx_packets", "tx_bytes", "tx_packets")


def vf_tap(vf):
    return f"nswbvf{vf}"


class HostNetwork:
    def __init__(self, vfs):
        self.namespace = f"nswitch-bench-{os.getpid()}"
        self.vfs = vfs

    def prefix(self):
        """The command prefix that runs a program inside the namespace."""
        return ["ip", "netns", "exec", self.namespace]

    def run(self, *command):
        subprocess.run(self.prefix() + list(command), check=True)

    def __enter__(self):
        subprocess.run(["ip", "netns", "add", self.namespace], check=True)
        try:
            self.run("ip", "link", "set", "lo", "up")
            self.run("ip", "link", "add", "br0", "type", "bridge")
            self.run("ip", "link", "set", "br0", "up")
            for tap in [UPLINK_TAP, UPLINK1_TAP] + \
                    [vf_tap(vf) for vf in range(self.vfs)]:
                self.bridged_tap(tap)
            self.run("ip", "link", "add", "ext0", "type", "veth",
                     "peer", "name", "ext1")
            self.run("ip", "link", "set", "ext1", "address", EXTERNAL_MAC)
            for dev in ("ext0", "ext1"):
                self.run("ip", "link", "set", dev, "up")
            self.run("ip", "link", "set", "ext0", "master", "br0")
            # The external host never speaks first: the bridge must not
            # flood frames for it back into the card.
            self.run("bridge", "fdb", "replace", EXTERNAL_MAC, "dev", "ext0",
                     "master", "static")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", self.namespace], check=False)

    def bridged_tap(self, name):
        self.run("ip", "tuntap", "add", "dev", name, "mode", "tap",
                 "vnet_hdr")
        self.run("ip", "link", "set", name, "master", "br0")
        self.run("ip", "link", "set", name, "up")

    def set_hairpin(self, on):
        self.run("bridge", "link", "set", "dev", UPLINK_TAP,
                 "hairpin", "on" if on else "off")

    def counters(self):
        """rx/tx bytes and packets of the uplink taps and the external
        host, keyed like 'uplink.rx_bytes' (rx: what the guest's card
        sent)."""
        names = {"uplink": UPLINK_TAP, "uplink1": UPLINK1_TAP,
                 "external": "ext1"}
        script = "; ".join(
            f"cat /sys/class/net/{dev}/statistics/{field}"
            for dev in names.values()
            for field in COUNTER_FIELDS)
        out = subprocess.run(self.prefix() + ["sh", "-c", script],
                             check=True, capture_output=True, text=True)
        values = iter(int(v) for v in out.stdout.split())
        return {f"{key}.{field}": next(values)
                for key in names for field in COUNTER_FIELDS}
