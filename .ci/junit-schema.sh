#!/usr/bin/env bash
# Validates the JUnit report of a real `sip2check run` against the schema Jenkins' xUnit plugin
# uses (../shared/junit-10.xsd, beside the clone in CI). Called from .ci/run; needs only bash,
# cargo and apt (for xmllint). Exit non-zero when the run fails or the report is invalid.
set -euo pipefail
cd "$(dirname "$0")/.."

schema="../shared/junit-10.xsd"
if [ ! -f "$schema" ]; then
    echo "junit-schema: $schema not found (it sits beside the clone in CI)" >&2
    exit 1
fi
if ! command -v xmllint >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    apt-get install -y -qq libxml2-utils >/dev/null
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo build --quiet --bin sip2check
# The shipped scenarios against the built-in emulator, and a failing one (a failure body,
# an errored step and steps not run must validate too).
target/debug/sip2check run --junit "$out/shipped.xml" --json "$out/shipped.json"
status=0
# Its console output (a libtest "FAILED" summary) goes to a file, not into the CI log.
target/debug/sip2check run tests/scenarios/fail --junit "$out/failing.xml" >"$out/failing.txt" || status=$?
if [ "$status" -ne 1 ]; then
    echo "junit-schema: the failing scenario exited $status, expected 1" >&2
    exit 1
fi
for f in "$out/shipped.xml" "$out/failing.xml"; do
    xmllint --noout --schema "$schema" "$f"
done
echo "junit-schema: both reports validate against $schema"
