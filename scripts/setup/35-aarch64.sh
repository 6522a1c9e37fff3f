#!/usr/bin/env bash
# The aarch64 device binary is built and run in the tests (scripts/test.sh builds it with
# scripts/build-static.sh, crates/tekigo-cli/tests/scan.rs runs scripts/test-aarch64.sh):
# the Rust musl target, Debian's aarch64 cross compiler for SQLite's C code, and
# qemu-user-static to run the result. The arm64 musl headers and BusyBox come from Debian
# arm64 packages the scripts download into the cache themselves.
set -euo pipefail
. "$(dirname "$0")/../lib/setup.sh"
missing=()
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || missing+=(gcc-aarch64-linux-gnu)
command -v qemu-aarch64-static >/dev/null 2>&1 || missing+=(qemu-user-static)
command -v readelf >/dev/null 2>&1 || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
fi
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx aarch64-unknown-linux-musl; then
    rustup target add aarch64-unknown-linux-musl
fi
