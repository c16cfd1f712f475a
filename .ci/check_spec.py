#!/usr/bin/env python3
"""CI-only: compare sip2check's protocol table (`sip2check spec --json`) with the shared reference
(sip2-spec.yaml), so the one table in src/sip2/ cannot drift from the facts it was generated from.

usage: check_spec.py PATH/TO/sip2-spec.yaml PATH/TO/sip2check
Prints 'N passed, N failed'; exits 1 on any difference, 2 when it cannot run.
"""
import json
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("check_spec.py: PyYAML is missing (pip install pyyaml)", file=sys.stderr)
    sys.exit(2)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    ref = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
    ours = json.loads(subprocess.run([sys.argv[2], "spec", "--json"], check=True, capture_output=True).stdout)
    by_code = {m["code"]: m for m in ours["messages"]}
    passed, failures = 0, []

    def check(what, want, got):
        nonlocal passed
        if want == got:
            passed += 1
        else:
            failures.append(f"{what}: reference {want!r}, sip2check {got!r}")

    check("message codes", sorted(ref["messages"]), sorted(by_code))
    for code, m in ref["messages"].items():
        o = by_code.get(code)
        if o is None:
            continue
        check(f"{code} name", m["name"], o["name"])
        check(f"{code} direction", m["direction"], o["direction"])
        check(f"{code} fixed", [(f["name"], f["length"]) for f in m["fixed"]], [(f["name"], f["length"]) for f in o["fixed"]])
        check(f"{code} fixed length", m["fixed_total_length"], sum(f["length"] for f in o["fixed"]))
        check(f"{code} fields", [(v["id"], v["required"], v["repeatable"]) for v in m["variable"]],
              [(v["id"], v["required"], v["repeatable"]) for v in o["fields"]])
    names = {f["id"]: f["name"] for f in ours["fields"]}
    for f in ref["fields"]["standard"]:
        check(f"field {f['id']}", f["name"], names.get(f["id"]))
    for f in ref["fields"]["extensions"]:
        if len(f["id"]) == 2:
            check(f"extension {f['id']}", f["name"], names.get(f["id"]))

    for line in failures:
        print("FAIL", line)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
