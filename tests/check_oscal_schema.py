#!/usr/bin/env python3
"""Validates `postura export oscal` documents against NIST's OSCAL 1.1.2 schema.

    tests/check_oscal_schema.py SCHEMA CATALOG PROFILE DOCUMENT...

Each DOCUMENT (assessment results) must validate against SCHEMA with python3-jsonschema
(Draft 7, as the schema declares, with format checks); every finding's target-id and
reviewed control id must be a control of CATALOG (`postura export oscal-catalog`); the
findings of assets in PROFILE's implementation group (`--profile IGn`) must target
controls PROFILE selects; and the first document broken on purpose (a missing required
field, a bad UUID, an unknown key, a status off the enumeration) must fail, so that this
check can fail.

The schema writes OSCAL's token pattern with the Unicode classes \\p{L} and \\p{N}, which
Python's `re` does not know; they are replaced by their Python equivalents [^\\W\\d_]
(letters) and \\d (digits: Unicode decimal digits, a subset of \\p{N}, stricter).
Exit status 0 when all holds, 1 with the reasons otherwise.
"""
import copy
import json
import sys

import jsonschema


def load_schema(path):
    with open(path, encoding="utf-8") as schema_file:
        text = schema_file.read()
    text = text.replace("\\\\p{L}", "[^\\\\W\\\\d_]").replace("\\\\p{N}", "\\\\d")
    return json.loads(text)


def control_ids(groups):
    ids = set()
    for group in groups:
        ids.update(control["id"] for control in group.get("controls", []))
        ids.update(control_ids(group.get("groups", [])))
    return ids


def resolution_errors(document, catalog_ids):
    errors = []
    for result in document["assessment-results"]["results"]:
        for finding in result.get("findings", []):
            target = finding["target"]["target-id"]
            if target not in catalog_ids:
                errors.append(f"finding target {target} is no control of the catalog")
        for selection in result["reviewed-controls"]["control-selections"]:
            for control in selection.get("include-controls", []):
                if control["control-id"] not in catalog_ids:
                    errors.append(f"reviewed control {control['control-id']} is not in the catalog")
    return errors


def prop(item, name):
    for entry in item.get("props", []):
        if entry["name"] == name:
            return entry["value"]
    return None


def profile_errors(document, group, selected):
    """Findings of the group's assets whose control the group's profile does not select."""
    errors = []
    for result in document["assessment-results"]["results"]:
        items = result.get("local-definitions", {}).get("inventory-items", [])
        in_group = {prop(item, "asset-id") for item in items
                    if prop(item, "implementation-group") == group}
        for finding in result.get("findings", []):
            target = finding["target"]["target-id"]
            if prop(finding, "asset") in in_group and target not in selected:
                errors.append(f"finding {target} of a {group} asset is not in the {group} profile")
    return errors


def broken_copies(document):
    result = document["assessment-results"]["results"][0]
    broken = []
    missing = copy.deepcopy(document)
    del missing["assessment-results"]["results"][0]["start"]
    broken.append(("a result without start", missing))
    bad_uuid = copy.deepcopy(document)
    bad_uuid["assessment-results"]["uuid"] = "not-a-uuid"
    broken.append(("a malformed uuid", bad_uuid))
    if result.get("findings"):
        bad_state = copy.deepcopy(document)
        bad_state["assessment-results"]["results"][0]["findings"][0]["target"]["status"][
            "state"] = "partially-satisfied"
        broken.append(("a status off the enumeration", bad_state))
    if result.get("observations"):
        extra = copy.deepcopy(document)
        extra["assessment-results"]["results"][0]["observations"][0]["score"] = 1
        broken.append(("an unknown observation key", extra))
        uncollected = copy.deepcopy(document)
        del uncollected["assessment-results"]["results"][0]["observations"][0]["collected"]
        broken.append(("an observation without collected", uncollected))
    return broken


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    schema = load_schema(sys.argv[1])
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    with open(sys.argv[2], encoding="utf-8") as catalog_file:
        catalog_ids = control_ids(json.load(catalog_file)["catalog"]["groups"])
    with open(sys.argv[3], encoding="utf-8") as profile_file:
        profile = json.load(profile_file)["profile"]
    selected = set()
    for imported in profile["imports"]:
        for include in imported.get("include-controls", []):
            selected.update(include["with-ids"])
    failures = [f"profile selects {i}, no control of the catalog"
                for i in sorted(selected - catalog_ids)]
    documents = []
    for path in sys.argv[4:]:
        with open(path, encoding="utf-8") as document_file:
            document = json.load(document_file)
        documents.append(document)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(document)]
        failures += [f"{path}: {error}" for error in errors[:5]]
        failures += [f"{path}: {error}" for error in resolution_errors(document, catalog_ids)]
        group = prop(profile["metadata"], "implementation-group")
        failures += [f"{path}: {error}" for error in profile_errors(document, group, selected)]
    for name, broken in broken_copies(documents[0]):
        if validator.is_valid(broken):
            failures.append(f"the schema accepted {name}: the check cannot fail")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    print(f"check_oscal_schema: {len(documents)} document(s) valid, every control id resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
