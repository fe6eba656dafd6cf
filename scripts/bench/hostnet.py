"""The host side of the benchmark's network: a network namespace holding a
Linux bridge (the external switch of VEPA, and the hypervisor's software
switch of the vswitch mode), the taps QEMU opens, and an external host.

  uplink tap   the card's (or igb's) uplink; hairpin mode on for the
               card, so that VEPA's reflective relay works; off for igb
  uplink1 tap  the uplink of a two-port card's second port
  VF taps      one per VF, for the vswitch mode
  ext0/ext1    a veth pair: ext0 on the bridge, ext1 the external host
               (no address: it counts frames and drops them)
  obr          an Open vSwitch bridge, where Debian's openvswitch-switch
               is installed: the paper's vSwitch. Its userspace datapath
               (datapath_type=netdev) needs no kernel module, which these
               hosts cannot load; ovsdb-server and ovs-vswitchd run in the
               namespace with a run directory of their own. A veth pair
               (ovsl0 on obr, ovsl1 on br0) joins it to the rest. The VF
               taps sit on br0 or on obr, as set_vf_switch() says.
"""

import os
import shutil
import subprocess
import tempfile

EXTERNAL_MAC = "02:00:00:00:00:64"
EXTERNAL_IP = "169.254.10.100"
UPLINK_TAP = "nswbup"
UPLINK1_TAP = "nswbup1"
COUNTER_FIELDS = ("rx_bytes", "rx_packets", "tx_bytes", "tx_packets")


def vf_tap(vf):
    return f"nswbvf{vf}"


def ovs_available():
    return all(shutil.which(p) for p in ("ovsdb-server", "ovs-vswitchd",
                                         "ovs-vsctl", "ovsdb-tool"))


class HostNetwork:
    def __init__(self, vfs, ovs=False):
        self.namespace = f"nswitch-bench-{os.getpid()}"
        self.vfs = vfs
        self.ovs = ovs
        self.ovs_dir = None
        self.vf_switch = "bridge"

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
            if self.ovs:
                self.start_ovs()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.ovs_dir:
            for daemon in ("ovs-vswitchd", "ovsdb-server"):
                pid = self.ovs_pid(daemon)
                if pid:
                    subprocess.run(["kill", str(pid)], check=False)
            shutil.rmtree(self.ovs_dir, ignore_errors=True)
        subprocess.run(["ip", "netns", "del", self.namespace], check=False)

    def ovs_env(self):
        return ["env", f"OVS_RUNDIR={self.ovs_dir}", f"OVS_DBDIR={self.ovs_dir}",
                f"OVS_LOGDIR={self.ovs_dir}"]

    def vsctl(self, *args):
        self.run(*self.ovs_env(), "ovs-vsctl",
                 f"--db=unix:{self.ovs_dir}/db.sock", *args)

    def start_ovs(self):
        self.ovs_dir = tempfile.mkdtemp(prefix="nswitch-bench-ovs-")
        d = self.ovs_dir
        subprocess.run(["ovsdb-tool", "create", f"{d}/conf.db",
                        "/usr/share/openvswitch/vswitch.ovsschema"],
                       check=True)
        self.run(*self.ovs_env(), "ovsdb-server", f"{d}/conf.db",
                 f"--remote=punix:{d}/db.sock",
                 f"--pidfile={d}/ovsdb-server.pid", "--detach",
                 f"--log-file={d}/ovsdb-server.log")
        self.vsctl("--no-wait", "init")
        # With vnet headers on its sockets the datapath keeps what the
        # guest left to offload (partial checksums, TSO): without them,
        # TCP from a VF arrives with a bad checksum and never connects.
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   "other_config:userspace-tso-enable=true")
        self.run(*self.ovs_env(), "ovs-vswitchd", f"unix:{d}/db.sock",
                 f"--pidfile={d}/ovs-vswitchd.pid", "--detach",
                 f"--log-file={d}/ovs-vswitchd.log")
        self.vsctl("add-br", "obr", "--", "set", "bridge", "obr",
                   "datapath_type=netdev")
        self.run("ip", "link", "add", "ovsl0", "type", "veth",
                 "peer", "name", "ovsl1")
        for dev in ("ovsl0", "ovsl1", "obr"):
            self.run("ip", "link", "set", dev, "up")
        self.run("ip", "link", "set", "ovsl1", "master", "br0")
        self.vsctl("add-port", "obr", "ovsl0")

    def ovs_pid(self, daemon="ovs-vswitchd"):
        """The pid of an Open vSwitch daemon of the namespace, or None."""
        try:
            with open(os.path.join(self.ovs_dir, f"{daemon}.pid")) as f:
                return int(f.read())
        except (OSError, TypeError, ValueError):
            return None

    def set_vf_switch(self, kind):
        """Puts the VF taps on the Linux bridge ("bridge") or on Open
        vSwitch ("ovs")."""
        if kind == self.vf_switch:
            return
        for vf in range(self.vfs):
            tap = vf_tap(vf)
            if kind == "ovs":
                self.run("ip", "link", "set", tap, "nomaster")
                self.vsctl("add-port", "obr", tap)
            else:
                self.vsctl("del-port", "obr", tap)
                self.run("ip", "link", "set", tap, "master", "br0")
            self.run("ip", "link", "set", tap, "up")
        self.vf_switch = kind

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
