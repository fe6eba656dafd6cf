#!/usr/bin/python3
"""Boots the test guest with a scenario in one QEMU, migrates it into a
second when the guest prints MIGRATE-NOW, tells the guest (a line on the
destination's console) once it runs there, and prints both consoles and
the destination's query-nswitch at the end.

  migrate-guest.py SCENARIO.sh TIMEOUT [QEMU ARGS...]

Exits with the guest's status (NSWITCH-GUEST-EXIT), or 1."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "scripts"))
from qmp import QmpClient  # noqa: E402


def connect(path, deadline):
    """A unix socket QEMU listens on, once it does."""
    while True:
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Console:
    """The guest's serial console on a unix socket, read line by line."""

    def __init__(self, path, deadline):
        self.sock = connect(path, deadline)
        self.buffer = b""
        self.lines = []

    def wait_for(self, prefix, deadline):
        """Reads until a line starting with @prefix; returns it."""
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                text = line.decode(errors="replace").rstrip("\r")
                self.lines.append(text)
                print(text, flush=True)
                if text.startswith(prefix):
                    return text
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no '{prefix}' on the console")
            self.sock.settimeout(left)
            data = self.sock.recv(4096)
            if not data:
                raise EOFError(f"console closed before '{prefix}'")
            self.buffer += data


def qemu(run_dir, name, guest, initramfs, extra, incoming):
    args = [os.path.join(REPO, "build/qemu/qemu-system-x86_64"),
            "-machine", "q35", "-accel", "tcg", "-cpu", "max", "-smp", "2",
            "-m", "1024", "-display", "none", "-monitor", "none",
            "-no-reboot", "-nodefaults",
            "-serial", f"unix:{run_dir}/{name}.console,server=on,wait=off",
            "-qmp", f"unix:{run_dir}/{name}.qmp,server=on,wait=off",
            "-kernel", os.path.join(guest, "vmlinuz"), "-initrd", initramfs,
            "-append", "console=ttyS0 quiet panic=-1 pci=realloc "
                       "no_timer_check"] + extra
    if incoming:
        args += ["-incoming", "defer"]
    return subprocess.Popen(args, stdin=subprocess.DEVNULL)


def main():
    scenario, timeout = sys.argv[1], float(sys.argv[2])
    extra = sys.argv[3:]
    deadline = time.monotonic() + timeout
    guest = subprocess.run([os.path.join(REPO, "scripts/build-guest.sh")],
                           check=True, capture_output=True,
                           text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as run_dir:
        initramfs = os.path.join(run_dir, "initramfs.cpio")
        subprocess.run([os.path.join(REPO, "scripts/guest-initramfs.sh"),
                        scenario, initramfs], check=True)
        src = qemu(run_dir, "src", guest, initramfs, extra, False)
        dst = qemu(run_dir, "dst", guest, initramfs, extra, True)
        try:
            src_console = Console(f"{run_dir}/src.console", deadline)
            src_console.wait_for("MIGRATE-NOW", deadline)
            connect(f"{run_dir}/dst.qmp", deadline).close()
            dst_qmp = QmpClient(f"{run_dir}/dst.qmp")
            dst_console = Console(f"{run_dir}/dst.console", deadline)
            uri = f"unix:{run_dir}/migration.sock"
            dst_qmp.execute("migrate-incoming", {"uri": uri})
            src_qmp = QmpClient(f"{run_dir}/src.qmp")
            started = time.monotonic()
            src_qmp.execute("migrate", {"uri": uri})
            while True:
                status = src_qmp.execute("query-migrate").get("status")
                if status == "completed":
                    break
                if status == "failed" or time.monotonic() > deadline:
                    print(f"MIGRATION {status}", flush=True)
                    return 1
                time.sleep(0.1)
            while dst_qmp.execute("query-status")["status"] != "running":
                if time.monotonic() > deadline:
                    print("MIGRATION destination not running", flush=True)
                    return 1
                time.sleep(0.1)
            print(f"MIGRATION completed in "
                  f"{time.monotonic() - started:.1f} s", flush=True)
            src_qmp.execute("quit")
            dst_console.sock.sendall(b"migrated\n")
            line = dst_console.wait_for("NSWITCH-GUEST-EXIT", deadline)
            print(json.dumps(dst_qmp.execute("query-nswitch")), flush=True)
            return int(line.split()[1])
        finally:
            for process in (src, dst):
                if process.poll() is None:
                    process.kill()
                process.wait()


if __name__ == "__main__":
    sys.exit(main())
