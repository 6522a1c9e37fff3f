#!/usr/bin/env python3
"""Validates CycloneDX 1.6 JSON documents against the official schema.

The schema files (bom-1.6, spdx, jsf) and the validator come from cyclonedx-python-lib
(scripts/setup/10-python.sh installs it).
The strict validator also rejects properties the schema does not define.

Usage: validate_cyclonedx.py FILE...   Exit 0 when every file is valid, 1 otherwise (each
error printed with its file and JSON path), 2 when the validator is not installed.
"""
import sys

try:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
except ImportError as e:
    print(f"cyclonedx-python-lib[json-validation] is not installed: {e}", file=sys.stderr)
    sys.exit(2)


def main(paths):
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    failed = False
    for path in paths:
        with open(path, encoding="utf-8") as f:
            errors = validator.validate_str(f.read(), all_errors=True)
        for error in errors or []:
            failed = True
            data = error.data
            where = "/".join(str(p) for p in getattr(data, "absolute_path", []))
            message = getattr(data, "message", str(error))
            print(f"{path}: /{where}: {message}")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
