#!/usr/bin/env bash
# Sets up what the tests need on a fresh machine, then runs every test of the workspace.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# OSCAL documents are validated with compliance-trestle, whose models are generated from
# NIST's published OSCAL JSON schemas.
if ! python3 -c "import trestle.oscal.catalog" >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore compliance-trestle
fi

if cargo nextest --version >/dev/null 2>&1; then
    # Doc tests first: nextest does not run them, and its summary should close the log.
    cargo test --workspace --locked --doc
    cargo nextest run --workspace --locked --no-fail-fast
else
    cargo test --workspace --locked --no-fail-fast
fi
