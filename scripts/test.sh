#!/usr/bin/env bash
# Sets up what the tests need on a fresh machine, then runs every test of the workspace.
# Safe to run again: each step is skipped when already done.
#
# Setup lives in scripts/setup/*.sh, one file per need (OSCAL validator, root filesystem
# images, PostgreSQL, ...), run in name order. Each must be idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

for step in scripts/setup/*.sh; do
    echo "setup: $step"
    "$step"
done

# The aarch64 device binary (scanner build, size-optimised), run under qemu-user against an
# arm64 root by a test in crates/tekigo-cli/tests/scan.rs.
scripts/build-static.sh aarch64
export TEKIGO_AARCH64_BIN="${CARGO_TARGET_DIR:-$(pwd)/target}/static/tekigo-aarch64"

# `--tests`: the library, binary and integration tests, without building the examples
# (benchmark generators no test runs; clippy --all-targets in .ci/run still checks them).
if cargo nextest --version >/dev/null 2>&1; then
    # Doc tests first: nextest does not run them, and its summary should close the log.
    cargo test --workspace --locked --doc
    cargo nextest run --workspace --locked --tests --no-fail-fast
else
    cargo test --workspace --locked --tests --no-fail-fast
    cargo test --workspace --locked --doc
fi
