#!/usr/bin/env python3
"""Runs the install-and-run shell steps of each CI template in ci/ against the emulator.

usage: run_templates.py SIP2CHECK REPO [JUNIT_XSD]

For each template (GitHub Actions `run:` steps, GitLab CI `script:` lines, Jenkins
''' shell blocks), in a fresh empty directory: `SIP2CHECK serve` on a free loopback port
(an isolated library per connection, login first, as Evergreen and Koha do), SIP2_ENDPOINT
pointing at it, SIP2CHECK_GIT at REPO (file://), a fresh install root on PATH and the
caller's CARGO_TARGET_DIR (so the three installs cost one build). Every step must exit 0,
and the run must leave a JUnit report (valid against JUNIT_XSD, when given) and a JSON
report with scenarios passed and none failed. Exits 1 on the first template that breaks.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

STEP_TIMEOUT = 1200  # seconds: a cold `cargo install` of the release build fits
SERVE_WAIT = 10  # seconds for `serve` to say where it listens


def github(text):
    steps = yaml.safe_load(text)["jobs"]["sip2"]["steps"]
    return [("bash", "-eo", "pipefail", "-c", s["run"]) for s in steps if "run" in s]


def gitlab(text):
    script = yaml.safe_load(text)["sip2check"]["script"]
    # GitLab runs the lines in one shell and stops at the first that fails.
    return [("bash", "-e", "-c", "\n".join(script))]


def jenkins(text):
    code = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("//"))
    # Groovy drops a backslash-newline in a ''' string; sh -xe is how Jenkins runs `sh`.
    blocks = re.findall(r"'''(.*?)'''", code, re.S)
    return [("sh", "-xe", "-c", b.replace("\\\n", "")) for b in blocks]


TEMPLATES = [
    ("github-actions.yml", github),
    ("gitlab-ci.yml", gitlab),
    ("Jenkinsfile", jenkins),
]


def fail(msg):
    print(f"run_templates: {msg}", file=sys.stderr)
    sys.exit(1)


def serve(sip2check, log):
    proc = subprocess.Popen(
        [sip2check, "serve", "--listen", "127.0.0.1:0", "--isolate", "--login-required"],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    deadline = time.monotonic() + SERVE_WAIT
    line = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("listening on "):
            return proc, line.split()[-1]
        if proc.poll() is not None:
            break
    proc.kill()
    fail(f"`sip2check serve` did not say where it listens (got {line!r})")


def run_template(name, steps, sip2check, repo, xsd):
    scripts = [s[-1] for s in steps]
    if not any("cargo install" in s for s in scripts) or not any(
        "sip2check run" in s for s in scripts
    ):
        fail(f"{name}: no install step or no run step among {len(steps)} shell step(s)")
    for s in scripts:
        if "${{" in s:
            fail(f"{name}: a shell step uses ${{{{ }}}}; pass values through env instead")
    base = tempfile.mkdtemp(prefix="sip2check-template-")
    work, root = os.path.join(base, "work"), os.path.join(base, "root")
    os.makedirs(work)
    # The templates put the cargo home's bin on PATH; a sip2check there would be run instead.
    cargo_bin = os.path.join(
        os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo")), "bin"
    )
    stale = shutil.which("sip2check", path=cargo_bin + os.pathsep + os.environ["PATH"])
    if stale:
        fail(f"{stale} would stand in for the sip2check the templates install; remove it")
    with open(os.path.join(base, "serve.log"), "w") as log:
        proc, endpoint = serve(sip2check, log)
        env = dict(
            os.environ,
            SIP2CHECK_GIT="file://" + os.path.abspath(repo),
            SIP2CHECK_DIALECT="emulator",
            SIP2_ENDPOINT=endpoint,
            SIP_PASSWORD="unused-by-the-emulator-profile",
            CARGO_INSTALL_ROOT=root,
            PATH=os.path.join(root, "bin") + os.pathsep + os.environ["PATH"],
        )
        try:
            for i, cmd in enumerate(steps, 1):
                started = time.monotonic()
                print(f"--- {name} step {i}/{len(steps)}: {cmd[-1].strip().splitlines()[0]}")
                sys.stdout.flush()
                try:
                    done = subprocess.run(
                        cmd, cwd=work, env=env, timeout=STEP_TIMEOUT,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                    )
                except subprocess.TimeoutExpired:
                    fail(f"{name} step {i} ran over {STEP_TIMEOUT} s")
                tail = "\n".join(done.stdout.splitlines()[-25:])
                print(f"    exit {done.returncode} in {time.monotonic() - started:.0f} s")
                if done.returncode != 0:
                    fail(f"{name} step {i} exited {done.returncode}:\n{tail}")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    if not os.path.isfile(os.path.join(root, "bin", "sip2check")):
        fail(f"{name}: the steps installed no sip2check")
    junit = os.path.join(work, "sip2check-junit.xml")
    report = os.path.join(work, "sip2check.json")
    for f in (junit, report, os.path.join(work, "sip2-profile.yaml")):
        if not os.path.isfile(f):
            fail(f"{name}: the steps left no {os.path.basename(f)}")
    if xsd:
        subprocess.run(["xmllint", "--noout", "--schema", xsd, junit], check=True)
    summary = json.load(open(report))["summary"]
    if summary["failed"] or not summary["passed"]:
        fail(f"{name}: the run's summary is {summary}")
    print(f"{name}: {summary['passed']} scenarios passed against {endpoint}")


def main():
    if len(sys.argv) not in (3, 4):
        fail(__doc__.strip().splitlines()[2])
    sip2check, repo = os.path.abspath(sys.argv[1]), sys.argv[2]
    xsd = sys.argv[3] if len(sys.argv) == 4 else None
    if "CARGO_TARGET_DIR" not in os.environ:
        fail("set CARGO_TARGET_DIR, so the three installs share one build")
    for name, extract in TEMPLATES:
        with open(os.path.join(repo, "ci", name)) as f:
            steps = extract(f.read())
        run_template(name, steps, sip2check, repo, xsd)
    print(f"run_templates: all {len(TEMPLATES)} templates installed sip2check and passed")


if __name__ == "__main__":
    main()
