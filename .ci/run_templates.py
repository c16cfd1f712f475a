#!/usr/bin/env python3
"""Runs the install-and-run shell steps of each CI template in ci/ against the emulator.

usage: run_templates.py SIP2CHECK REPO [JUNIT_XSD]

For each template (GitHub Actions `run:` steps, GitLab CI `script:` lines, Jenkins
''' shell blocks), in a fresh empty directory, with SIP2CHECK_GIT pointing at REPO (file://), a
fresh install root on PATH and the caller's CARGO_TARGET_DIR (so the three installs cost one
build), against `SIP2CHECK serve` on free loopback ports (an isolated library per connection,
login first, as Evergreen and Koha do):

1. a first run, with no baseline, against a server that passes: every step exits 0;
2. the baseline written as the template's comments say (their `--write-baseline` line), against
   a server with known deviations (CR LF terminators, a changed library): it exits 1 and writes
   sip2-baseline.yaml with entries;
3. the steps again, with that baseline, against the same deviant server: every step exits 0,
   and the deviations are reported as known.

After each run the JUnit report must be valid (against JUNIT_XSD, when given), the JSON report
must count scenarios passed and none failed, and the HTML report must be the run's page (its
Content-Security-Policy, its verdict matching the JSON, known steps marked). Prints the time of
each part; exits 1 on the first template that breaks.
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


def serve(sip2check, log, *knobs):
    proc = subprocess.Popen(
        [sip2check, "serve", "--listen", "127.0.0.1:0", "--isolate", "--login-required", *knobs],
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


def baseline_command(name, text):
    """The `--write-baseline` command a template's comments tell users to run: a comment line
    that is a sip2check command."""
    for line in text.splitlines():
        comment = line.strip()
        command = comment.lstrip("#/").strip()
        if (comment.startswith(("#", "//")) and command.startswith("sip2check ")
                and "--write-baseline" in command):
            return command
    fail(f"{name}: no comment shows how to write the first baseline (--write-baseline)")


REPORTS = ("sip2check-junit.xml", "sip2check.json", "sip2check.html")
CSP = '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">'


def run_steps(name, part, steps, work, env):
    """Runs every shell step in `work`; each must exit 0."""
    for f in REPORTS:
        if os.path.exists(os.path.join(work, f)):
            os.remove(os.path.join(work, f))
    for i, cmd in enumerate(steps, 1):
        started = time.monotonic()
        print(f"--- {name} ({part}) step {i}/{len(steps)}: {cmd[-1].strip().splitlines()[0]}")
        sys.stdout.flush()
        try:
            done = subprocess.run(
                cmd, cwd=work, env=env, timeout=STEP_TIMEOUT,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
        except subprocess.TimeoutExpired:
            fail(f"{name} ({part}) step {i} ran over {STEP_TIMEOUT} s")
        tail = "\n".join(done.stdout.splitlines()[-25:])
        print(f"    exit {done.returncode} in {time.monotonic() - started:.0f} s")
        if done.returncode != 0:
            fail(f"{name} ({part}) step {i} exited {done.returncode}:\n{tail}")


def check_reports(name, part, work, xsd):
    """The run's three reports exist and agree; returns the JSON summary."""
    for f in REPORTS + ("sip2-profile.yaml",):
        if not os.path.isfile(os.path.join(work, f)):
            fail(f"{name} ({part}): the steps left no {f}")
    if xsd:
        subprocess.run(
            ["xmllint", "--noout", "--schema", xsd, os.path.join(work, REPORTS[0])], check=True
        )
    summary = json.load(open(os.path.join(work, REPORTS[1])))["summary"]
    if summary["failed"] or summary["errored"] or not summary["passed"]:
        fail(f"{name} ({part}): the run's summary is {summary}")
    page = open(os.path.join(work, REPORTS[2]), encoding="utf-8").read()
    n = summary["passed"] + summary["skipped"]
    verdict = f"<b>passed</b> {n} scenarios: {summary['passed']} passed, 0 failed, 0 errored"
    for want, what in [
        (CSP, "its Content-Security-Policy"),
        ("<h1>SIP2 conformance report</h1>", "the run's heading"),
        (verdict, f"the verdict {verdict!r}"),
    ]:
        if want not in page:
            fail(f"{name} ({part}): sip2check.html lacks {what}")
    known = page.count('<span class="v known">known</span>')
    if bool(known) != bool(summary["known"]):
        fail(f"{name} ({part}): the HTML marks {known} known step(s), the JSON counts {summary['known']}")
    return summary


def run_template(name, text, extract, sip2check, repo, xsd):
    steps = extract(text)
    write_baseline = baseline_command(name, text)
    scripts = [s[-1] for s in steps]
    if not any("cargo install" in s for s in scripts) or not any(
        "sip2check run" in s for s in scripts
    ):
        fail(f"{name}: no install step or no run step among {len(steps)} shell step(s)")
    for s in scripts + [write_baseline]:
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
    deviant_library = os.path.join(os.path.abspath(repo), "fixtures/upgrade-demo/library-new.yaml")

    def env(endpoint):
        return dict(
            os.environ,
            SIP2CHECK_GIT="file://" + os.path.abspath(repo),
            SIP2CHECK_DIALECT="emulator",
            SIP2_ENDPOINT=endpoint,
            SIP_PASSWORD="unused-by-the-emulator-profile",
            CARGO_INSTALL_ROOT=root,
            PATH=os.path.join(root, "bin") + os.pathsep + os.environ["PATH"],
        )

    with open(os.path.join(base, "serve.log"), "w") as log:
        clean, clean_endpoint = serve(sip2check, log)
        deviant, deviant_endpoint = serve(
            sip2check, log, "--terminator", "crlf", "--library", deviant_library
        )
        try:
            started = time.monotonic()
            run_steps(name, "first run", steps, work, env(clean_endpoint))
            first = check_reports(name, "first run", work, xsd)
            if first["known"]:
                fail(f"{name} (first run): known failures without a baseline: {first}")
            if not os.path.isfile(os.path.join(root, "bin", "sip2check")):
                fail(f"{name}: the steps installed no sip2check")
            print(f"{name}: first run, no baseline: {first['passed']} scenarios passed "
                  f"in {time.monotonic() - started:.0f} s")

            started = time.monotonic()
            print(f"--- {name} (writing the baseline): {write_baseline}")
            done = subprocess.run(
                ["sh", "-c", write_baseline], cwd=work, env=env(deviant_endpoint),
                timeout=STEP_TIMEOUT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
            tail = "\n".join(done.stdout.splitlines()[-5:])
            if done.returncode != 1:
                fail(f"{name}: the --write-baseline run against a deviant server exited "
                     f"{done.returncode}, expected 1:\n{tail}")
            with open(os.path.join(work, "sip2-baseline.yaml")) as f:
                entries = (yaml.safe_load(f) or {}).get("known") or []
            if not entries:
                fail(f"{name}: the baseline holds no entry:\n{tail}")
            print(f"{name}: wrote a baseline of {len(entries)} known failure(s) "
                  f"in {time.monotonic() - started:.0f} s")

            started = time.monotonic()
            run_steps(name, "with the baseline", steps, work, env(deviant_endpoint))
            again = check_reports(name, "with the baseline", work, xsd)
            if not again["known"] or again["fixed"]:
                fail(f"{name} (with the baseline): the baseline was not applied: {again}")
            print(f"{name}: with the baseline: {again['passed']} scenarios passed, "
                  f"{again['known']} known, in {time.monotonic() - started:.0f} s")
        finally:
            for proc in (clean, deviant):
                proc.terminate()
                proc.wait(timeout=10)


def main():
    if len(sys.argv) not in (3, 4):
        fail(__doc__.strip().splitlines()[2])
    sip2check, repo = os.path.abspath(sys.argv[1]), sys.argv[2]
    xsd = sys.argv[3] if len(sys.argv) == 4 else None
    if "CARGO_TARGET_DIR" not in os.environ:
        fail("set CARGO_TARGET_DIR, so the three installs share one build")
    started = time.monotonic()
    for name, extract in TEMPLATES:
        with open(os.path.join(repo, "ci", name)) as f:
            run_template(name, f.read(), extract, sip2check, repo, xsd)
    print(f"run_templates: all {len(TEMPLATES)} templates installed sip2check, passed, wrote "
          f"a baseline and passed with it, in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
