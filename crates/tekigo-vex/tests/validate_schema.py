#!/usr/bin/env python3
"""Validates a JSON document against the official OpenVEX 0.2.0 or CSAF 2.0 schema.

Usage: validate_schema.py openvex|csaf FILE...
Prints one line per error: the index of the file among the arguments (0-based), a tab, the
JSON path and the message. Exit 0: all valid. Exit 1: some invalid. Exit 2: cannot run.
Several files per call because importing jsonschema takes seconds.
Formats (uri, date-time) are checked: jsonschema[format-nongpl] supplies the checkers.
"""
import json
import pathlib
import sys

try:
    import jsonschema
    import referencing
    import rfc3339_validator  # noqa: F401  (date-time checker)
    import rfc3986_validator  # noqa: F401  (uri checker)
except ImportError as e:  # pragma: no cover
    print(f"missing Python package: {e}; run scripts/setup/10-python.sh", file=sys.stderr)
    sys.exit(2)

SCHEMAS = pathlib.Path(__file__).resolve().parent / "schemas"


def load(name):
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("openvex", "csaf"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, paths = sys.argv[1], sys.argv[2:]
    if kind == "openvex":
        schema = load("openvex_json_schema_0.2.0.json")
        registry = referencing.Registry()
    else:
        schema = load("csaf_json_schema.json")
        # The CSAF schema refers to FIRST's CVSS schemas by URL; serve the committed copies.
        registry = referencing.Registry().with_resources(
            (f"https://www.first.org/cvss/cvss-v{v}.json",
             referencing.Resource.from_contents(load(f"cvss-v{v}.json")))
            for v in ("2.0", "3.0", "3.1")
        )
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
    invalid = False
    for index, path in enumerate(paths):
        document = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        for e in errors:
            print(f"{index}\t{e.json_path}: {e.message}")
        invalid = invalid or bool(errors)
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
