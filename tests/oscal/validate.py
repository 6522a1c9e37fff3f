#!/usr/bin/env python3
"""Validate an OSCAL document with compliance-trestle's models.

trestle's pydantic models are generated from NIST's published OSCAL JSON schemas; they
refuse unknown fields, missing required fields and malformed tokens, uuids and dates.
Usage: validate.py catalog|assessment-results FILE
"""
import json
import sys

MODELS = {
    "catalog": ("trestle.oscal.catalog", "Catalog"),
    "assessment-results": ("trestle.oscal.assessment_results", "AssessmentResults"),
}


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in MODELS:
        print(__doc__, file=sys.stderr)
        return 2
    kind, path = sys.argv[1], sys.argv[2]
    module, name = MODELS[kind]
    try:
        model = getattr(__import__(module, fromlist=[name]), name)
    except ImportError as e:
        print(f"compliance-trestle is not installed ({e}): run scripts/setup/10-python.sh", file=sys.stderr)
        return 3
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    try:
        model.parse_obj(doc[kind])
    except Exception as e:  # pydantic's ValidationError lists every problem
        print(f"{path}: invalid OSCAL {kind}:\n{e}", file=sys.stderr)
        return 1
    print(f"{path}: valid OSCAL {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
