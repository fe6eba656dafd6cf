#!/usr/bin/python3
"""Runs every nswitch-nic test and counts each test case.

Suites:
  unit        cmocka tests of the core, from the standalone meson build
  unit-asan   the same under ASan and UBSan (clang), and the core's
              fuzzers: their corpora, then a bounded run
  qtest       QEMU qtests of the device, built inside QEMU (tests/qtest/*.c)
  qtest-asan  every qtest against QEMU built with ASan and UBSan
  system      host-side scripts in tests/system/ (QEMU command line, guests)
  compat-qtest   every qtest against the other supported QEMU release
                 (build/qemu-compat, QEMU_COMPAT_VERSION in scripts/common.sh)
  compat-system  the hairpin guest test against that release
  kernel-6.12    the hairpin, offloads and policy guest tests on Debian 13's
                 6.12 guest kernel (the others boot bookworm's 6.1)

The core (unit, unit-asan) knows nothing of QEMU: its tests are the same
for every release and run once.

Every test speaks TAP; each "ok" / "not ok" line is one test case. A test
that exits non-zero without reporting a failure, breaks its plan or runs
out of time counts as one more failure. Full output of each test goes to
build/test-logs/. The last line is "N passed, M failed".
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAP_RESULT = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?([^#]*)(#.*)?$")
TAP_PLAN = re.compile(r"^1\.\.(\d+)")
SUITES = ["unit", "unit-asan", "qtest", "qtest-asan", "system",
          "compat-qtest", "compat-system", "kernel-6.12"]
# The system tests that run against the other QEMU release too.
COMPAT_SYSTEM_TESTS = ["guest-hairpin"]
# The guest tests that run on the second guest kernel too.
KERNEL_612_TESTS = ["guest-hairpin", "guest-offloads", "guest-policy"]


# Every sanitizer report is fatal, leaks at exit included.
SANITIZER_ENV = {
    "ASAN_OPTIONS": "abort_on_error=1:detect_leaks=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}


def unit_tests(builddir, suite):
    out = subprocess.run(["meson", "introspect", "--tests", builddir],
                         check=True, capture_output=True, text=True).stdout
    for test in json.loads(out):
        env = dict(test.get("env") or {})
        if suite.endswith("-asan"):
            env.update(SANITIZER_ENV)
        yield {"suite": suite, "name": test["name"], "cmd": test["cmd"],
               "env": env, "timeout": max(120, test.get("timeout", 0) + 60)}


def qemu_version(build):
    """The first line of the QEMU binary's --version, e.g. for the log."""
    qemu = os.path.join(REPO, build, "qemu-system-x86_64")
    out = subprocess.run([qemu, "--version"], capture_output=True,
                         text=True, check=False).stdout
    return out.splitlines()[0] if out else f"no QEMU in {build}"


def qtests(build, suite, env=None):
    qemu = os.path.join(REPO, build, "qemu-system-x86_64")
    qtest_dir = os.path.join(REPO, build, "qtest")
    print(f"# {suite}: {qemu_version(build)} ({build})")
    for source in sorted(os.listdir(os.path.join(REPO, "tests/qtest"))):
        if not source.endswith("-test.c"):
            continue
        name = source[:-2]
        yield {"suite": suite, "name": name,
               "cmd": [os.path.join(qtest_dir, name), "--tap", "-k"],
               "env": dict(env or {}, QTEST_QEMU_BINARY=qemu,
                           NSWITCH_FUZZ_CORPUS=os.path.join(
                               REPO, "tests/fuzz/corpus/device")),
               "timeout": 900}


def system_tests(suite="system", build="build/qemu", names=None, env=None):
    directory = os.path.join(REPO, "tests/system")
    print(f"# {suite}: {qemu_version(build)} ({build})")
    for script in sorted(os.listdir(directory)):
        path = os.path.join(directory, script)
        if names is not None and script[:-3] not in names:
            continue
        if script.endswith(".sh") and os.access(path, os.X_OK):
            yield {"suite": suite, "name": script[:-3], "cmd": [path],
                   "env": dict(env or {},
                               NSWITCH_QEMU_DIR=os.path.join(REPO, build)),
                   "timeout": 900}


def print_failure_evidence(output, log_path):
    """Prints why a test stopped before its long log lines.

    CI keeps only part of a long output, so the abort message goes first
    and each line of the tail is cut short.
    """
    lines = output.splitlines()
    for line in lines:
        if line.startswith("Bail out!") or "ERROR:" in line or \
                "assertion" in line or "runtime error" in line:
            print(f"WHY  {line[:300]}")
    tail = [line[:200] for line in lines
            if not line.startswith("# starting QEMU")][-15:]
    print(f"---- last lines of {log_path}")
    print("\n".join(tail))
    print("----")


def run(test, log_dir):
    """Runs one test; returns (passed, failed, skipped) case counts."""
    env = dict(os.environ, **test["env"])
    log_path = os.path.join(log_dir, f"{test['suite']}-{test['name']}.log")
    label = f"{test['suite']}/{test['name']}"
    passed = failed = skipped = 0
    plan = None
    started = time.monotonic()
    with open(log_path, "w") as log:
        try:
            proc = subprocess.run(test["cmd"], env=env, cwd=REPO,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT,
                                  timeout=test["timeout"], text=True,
                                  errors="replace")
            output, status = proc.stdout, proc.returncode
        except subprocess.TimeoutExpired as expired:
            output = expired.stdout or ""
            if isinstance(output, bytes):
                output = output.decode(errors="replace")
            status = None
        except OSError as error:
            output, status = f"cannot run {test['cmd'][0]}: {error}\n", -1
        log.write(output)
    for line in output.splitlines():
        line = line.strip()
        match = TAP_PLAN.match(line)
        if match:
            plan = int(match.group(1))
            continue
        match = TAP_RESULT.match(line)
        if not match:
            continue
        verdict, _, description, directive = match.groups()
        description = description.strip()
        if directive and directive[1:].strip().upper().startswith("SKIP"):
            skipped += 1
            reason = directive[1:].strip()[4:].strip()
            print(f"SKIP {label}: " +
                  " - ".join(part for part in (description, reason) if part))
        elif verdict == "ok":
            passed += 1
            print(f"ok   {label}: {description}")
        else:
            failed += 1
            print(f"FAIL {label}: {description}")
    seconds = time.monotonic() - started
    if status is None:
        failed += 1
        print(f"FAIL {label}: timed out after {test['timeout']} s")
    elif plan is not None and passed + failed + skipped < plan:
        failed += 1
        print(f"FAIL {label}: ran {passed + failed + skipped} of {plan} planned cases")
    elif status != 0 and failed == 0:
        failed += 1
        print(f"FAIL {label}: exit status {status}")
    elif passed + failed + skipped == 0:
        failed += 1
        print(f"FAIL {label}: reported no test case")
    if failed:
        print_failure_evidence(output, log_path)
    print(f"#    {label}: {passed} passed, {failed} failed, "
          f"{skipped} skipped in {seconds:.1f} s")
    return passed, failed, skipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--core-build", default=os.path.join(REPO, "build/core"))
    parser.add_argument("--suite", action="append", choices=SUITES,
                        help="run only this suite (repeatable)")
    args = parser.parse_args()
    suites = args.suite or SUITES
    log_dir = os.path.join(REPO, "build/test-logs")
    os.makedirs(log_dir, exist_ok=True)

    tests = []
    if "unit" in suites:
        tests += unit_tests(args.core_build, "unit")
    if "unit-asan" in suites:
        tests += unit_tests(os.path.join(REPO, "build/core-asan"), "unit-asan")
    if "qtest" in suites:
        tests += qtests("build/qemu", "qtest")
    if "qtest-asan" in suites:
        tests += qtests("build/qemu-asan", "qtest-asan", SANITIZER_ENV)
    if "system" in suites:
        tests += system_tests()
    if "compat-qtest" in suites:
        tests += qtests("build/qemu-compat", "compat-qtest")
    if "compat-system" in suites:
        tests += system_tests("compat-system", "build/qemu-compat",
                              COMPAT_SYSTEM_TESTS)
    if "kernel-6.12" in suites:
        tests += system_tests("kernel-6.12", names=KERNEL_612_TESTS,
                              env={"GUEST_KERNEL": "6.12"})

    totals = [0, 0, 0]
    for test in tests:
        sys.stdout.flush()
        for i, count in enumerate(run(test, log_dir)):
            totals[i] += count
    passed, failed, skipped = totals
    if skipped:
        print(f"{skipped} skipped (see the SKIP lines for why)")
    # The last line stays plain: CI reads "N passed, M failed".
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
