#!/usr/bin/env python3
"""Interop check: `sip2check send` against a server built with the PyPI package pysip2.

Usage: python3 tests/interop/pysip2_send.py PATH/TO/sip2check

Starts a small pysip2 ACS on 127.0.0.1 (random port), runs `sip2check send` against it
plainly and with --checksum, checks the answers, and checks that checksums verify both
ways (pysip2 verifies ours, pysip2's verify_checksum and sip2check agree on its answers).
Prints "N passed, N failed" and exits 1 on any failure, 2 when it cannot run at all.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _serve  # noqa: E402

anyio = _serve.require("anyio", "pysip2")
pysip2 = _serve.require("pysip2", "pysip2")
from pysip2 import (  # noqa: E402
    LOGIN,
    PATRON_STATUS,
    LoginResponse,
    PatronStatusResponse,
    SIP2Server,
    verify_checksum,
)

RUN_LIMIT = 30  # seconds for one sip2check run
ALL_LIMIT = 120  # seconds for the whole check
PASSWORD = "pysip2-secret"
NAME = "José Ñandú"  # non-ASCII, carried in cp850 (pysip2's default encoding)

app = SIP2Server(institution_id="BR1", library_name="Interop Library", encoding="cp850")


@app.route(LOGIN)
async def login(req, ctx):
    ok = req.login_user_id == "sip" and req.login_password == PASSWORD
    return LoginResponse(ok="1" if ok else "0")


@app.route(PATRON_STATUS)
async def patron_status(req, ctx):
    return PatronStatusResponse(
        patron_status=" " * 14,
        language=req.language,
        transaction_date=ctx.now_18(),
        institution_id=req.institution_id,
        patron_identifier=req.patron_identifier,
        personal_name=NAME,
        valid_patron="Y",
    )


def unescape(shown: str) -> bytes:
    """Reverses sip2check's escape_wire: <CR>, <LF>, <0xNN>."""
    out = bytearray()
    for token in re.split(r"(<CR>|<LF>|<0x[0-9A-F]{2}>)", shown):
        if token == "<CR>":
            out += b"\r"
        elif token == "<LF>":
            out += b"\n"
        elif token.startswith("<0x") and len(token) == 6:
            out.append(int(token[3:5], 16))
        else:
            out += token.encode("ascii")
    return bytes(out)


def wire_lines(stdout: str, prefix: str) -> list[bytes]:
    """The bytes of every transcript line starting with `prefix` ("> " or "< ")."""
    return [
        unescape(line[len(prefix):].split("   (")[0])
        for line in stdout.splitlines()
        if line.startswith(prefix)
    ]


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: python3 tests/interop/pysip2_send.py PATH/TO/sip2check", file=sys.stderr)
        return 2
    binary = sys.argv[1]
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"pysip2_send.py: {binary} is not an executable; build it with `cargo build`", file=sys.stderr)
        return 2

    checks = _serve.Tally()
    try:
        anyio.run(functools.partial(run_checks, binary, checks))
    except TimeoutError:
        checks.check(f"the whole check ends within {ALL_LIMIT} s", False)
    return checks.finish()


async def run_checks(binary: str, checks: _serve.Tally) -> None:
    """Serves with pysip2 in this event loop while sip2check runs in a worker thread."""
    with anyio.fail_after(ALL_LIMIT):
        async with app.start("127.0.0.1", 0) as port:
            endpoint = f"127.0.0.1:{port}"

            def run(*args: str) -> subprocess.CompletedProcess:
                return subprocess.run(
                    [binary, "send", "--endpoint", endpoint, "--encoding", "cp850", "--timeout", "5", *args],
                    capture_output=True,
                    text=True,
                    encoding="utf-8",
                    timeout=RUN_LIMIT,
                    stdin=subprocess.DEVNULL,
                )

            async def send(*args: str) -> subprocess.CompletedProcess:
                return await anyio.to_thread.run_sync(functools.partial(run, *args))

            await cases(send, checks)


async def cases(send, checks: _serve.Tally) -> None:
    """The checks proper; `send(*args)` runs `sip2check send` against the pysip2 server."""

    def show(r: subprocess.CompletedProcess) -> str:
        return f"exit {r.returncode}\n--- stdout\n{r.stdout}--- stderr\n{r.stderr}"

    try:
        # Plain: SC status, then a login whose password must not be printed.
        r = await send("9900302.00")
        checks.check("plain 99 gets a 98", r.returncode == 0 and "98 ACS Status" in r.stdout, show(r))
        r = await send("--login", f"sip:{PASSWORD}:BR1", "23001{now}AOBR1|AA12345|AC|AD|")
        checks.check("login is accepted (94 ok=1)", r.returncode == 0 and re.search(r'ok\s+"1"', r.stdout) is not None, show(r))
        checks.check("the login password is not printed", r.returncode == 0 and PASSWORD not in r.stdout + r.stderr, show(r))
        checks.check(f"cp850 personal name {NAME!r} is decoded", NAME in r.stdout, show(r))

        # With --checksum: pysip2 answers 96 to a bad checksum, so a 98 means it verified ours.
        r = await send("--checksum", "9900302.00", "23001{now}AOBR1|AA12345|AC|AD|")
        checks.check("checksummed requests are answered (pysip2 verified them)", r.returncode == 0 and "96 " not in r.stdout, show(r))
        sent = wire_lines(r.stdout, "> ")
        received = wire_lines(r.stdout, "< ")
        checks.check(
            "pysip2 verifies the checksums sip2check sent",
            len(sent) == 2 and all(re.search(rb"AY\dAZ[0-9A-F]{4}\r$", s) and verify_checksum(s[:-1]) for s in sent),
            show(r),
        )
        checks.check(
            "pysip2's answers carry checksums that pysip2 and sip2check both verify",
            len(received) == 2
            and all(verify_checksum(b.rstrip(b"\r\n")) for b in received)
            and "[checksum]" not in r.stdout
            and "[checksum-missing]" not in r.stdout,
            show(r),
        )

        def ay(frame: bytes) -> bytes | None:
            m = re.search(rb"AY(\d)AZ[0-9A-Fa-f]{4}[\r\n]*$", frame)
            return m.group(1) if m else None

        checks.check(
            "the response AY echoes the request AY",
            [ay(s) for s in sent] == [b"0", b"1"]
            and [ay(b) for b in received] == [b"0", b"1"]
            and "[sequence]" not in r.stdout,
            show(r),
        )

        # A wrong checksum sent verbatim: pysip2 answers 96 every time, sip2check gives up after 3 re-sends.
        r = await send("--checksum", "--retries", "3", "9900302.00AY1AZ0000")
        checks.check(
            "a bad checksum gets 96s and a bounded, clear failure",
            r.returncode == 1 and r.stdout.count("< 96AZ") == 4 and "answered 96" in r.stderr,
            show(r),
        )
    except subprocess.TimeoutExpired as exc:
        checks.check("sip2check ends within its timeout", False, str(exc))


if __name__ == "__main__":
    sys.exit(main())
