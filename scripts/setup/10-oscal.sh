#!/usr/bin/env bash
# OSCAL documents are validated with compliance-trestle, whose models are generated from
# NIST's published OSCAL JSON schemas.
set -euo pipefail
if ! python3 -c "import trestle.oscal.catalog" >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore compliance-trestle
fi
