#!/usr/bin/env python3
"""Checks `postura-agent scan --format json` against docs/scan.schema.json.

Runs the real scan on the hardened fixture root (the built-in pack) and on a trimmed
OpenSCAP results file, validates both outputs, then checks that the schema refuses
outputs broken on purpose (an extra key, a level off the DLI scale, a missing field), so
that this test can fail.

    tests/check_scan_schema.py AGENT_BINARY REPO_ROOT
"""
import copy
import json
import subprocess
import sys

import jsonschema


def scan(agent, *arguments):
    run = subprocess.run([agent, "scan", "--format", "json", *arguments],
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.exit(f"scan {' '.join(arguments)} exited {run.returncode}: {run.stderr}")
    return json.loads(run.stdout)


def main():
    agent, root = sys.argv[1], sys.argv[2]
    with open(f"{root}/docs/scan.schema.json", encoding="utf-8") as schema_file:
        schema = json.load(schema_file)
    validator = jsonschema.Draft202012Validator(schema)
    outputs = {
        "pack": scan(agent, "--root", f"{root}/tests/testdata/agent/hardened"),
        "openscap": scan(agent, "--xccdf-results",
                         f"{root}/tests/fuzz/corpus/xccdf_results/oscap_results_trimmed.xml"),
    }
    failures = []
    for name, output in outputs.items():
        errors = [error.message for error in validator.iter_errors(output)]
        if errors:
            failures.append(f"{name}: {errors[:3]}")
        if not output["checks"] or not output["outcomes"]:
            failures.append(f"{name}: no checks or no outcomes, nothing was validated")

    broken = []
    extra_key = copy.deepcopy(outputs["pack"])
    extra_key["checks"][0]["score"] = 1
    broken.append(("an extra check key", extra_key))
    off_scale = copy.deepcopy(outputs["pack"])
    off_scale["outcomes"][0]["level"] = 0.5
    broken.append(("a level off the DLI scale", off_scale))
    wrong_state = copy.deepcopy(outputs["openscap"])
    wrong_state["outcomes"][0]["level"] = None
    wrong_state["outcomes"][0]["state"] = "evaluated"
    broken.append(("null level marked evaluated", wrong_state))
    missing = copy.deepcopy(outputs["openscap"])
    del missing["sources"][0]["unmapped_rules"]
    broken.append(("a source without unmapped_rules", missing))
    for name, output in broken:
        if validator.is_valid(output):
            failures.append(f"the schema accepts {name}")

    if failures:
        print("check_scan_schema: " + "\n".join(failures), file=sys.stderr)
        return 1
    print(f"check_scan_schema: {sum(len(o['checks']) for o in outputs.values())} checks valid; "
          f"{len(broken)} broken outputs refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
