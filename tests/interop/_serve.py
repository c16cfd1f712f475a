"""Shared by the interop scripts: import the peer package or stop loudly, start `sip2check serve`
on an ephemeral loopback port, and tally the checks."""

import importlib
import subprocess
import sys


def require(module, package):
    """Imports `module`, or exits 2 naming the PyPI `package` to install: a check that cannot
    run must say so, never pass silently."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        print(f"cannot import {module} ({exc}): the PyPI package '{package}' is missing; "
              f"pip install {package}", file=sys.stderr)
        sys.exit(2)


def start(binary, *extra):
    """Starts `binary serve --listen 127.0.0.1:0 ...`; returns (process, host, port)."""
    proc = subprocess.Popen(
        [binary, "serve", "--listen", "127.0.0.1:0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline().decode().strip()
    if not first.startswith("listening on "):
        proc.kill()
        err = proc.stderr.read().decode()
        sys.exit(f"sip2check serve did not start: {first!r} {err}")
    host, port = first[len("listening on "):].rsplit(":", 1)
    return proc, host, int(port)


def stop(proc):
    """SIGTERM, then wait (bounded)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class Tally:
    """Counts checks and prints `N passed, N failed`."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            # A transcript reads best on lines of its own.
            sep = "\n" if "\n" in detail else ": "
            print(f"FAIL {name}{sep}{detail}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0
