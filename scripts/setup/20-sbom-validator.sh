#!/usr/bin/env bash
# CycloneDX SBOMs are validated against the official CycloneDX 1.6 JSON schema, which
# cyclonedx-python-lib ships together with a validator (extra `json-validation`).
# Used by crates/tekigo-pkgdb/tests/validate_cyclonedx.py.
set -euo pipefail
if ! python3 -c "import cyclonedx.validation.json, jsonschema" >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
        'cyclonedx-python-lib[json-validation]'
fi
