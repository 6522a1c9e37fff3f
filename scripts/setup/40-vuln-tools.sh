#!/usr/bin/env bash
# VEX exports (OpenVEX 0.2, CSAF 2.0) are validated in tests against the official JSON
# schemas committed under crates/tekigo-vex/tests/schemas, with Python's jsonschema and its
# format checkers (uri, date-time).
set -euo pipefail
if ! python3 -c "import jsonschema, referencing, rfc3339_validator, rfc3986_validator" >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
        'jsonschema[format-nongpl]>=4.18'
fi
