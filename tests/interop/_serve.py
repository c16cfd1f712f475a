"""Shared by the interop scripts: start `sip2check serve` on an ephemeral loopback port."""

import subprocess
import sys


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
            print(f"FAIL {name}: {detail}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0
