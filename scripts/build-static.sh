#!/usr/bin/env bash
# Builds static `tekigo` binaries for x86_64 and aarch64 (musl), strips them and prints
# their sizes. The goal is under 10 MB each; a larger binary makes the script fail.
#
# The device binary is the scanner build of tekigo-cli (`--no-default-features --features
# scan`: scan with --sbom, catalog, checklist), without the report engine (typst), the
# vulnerability database, assessments and XLSX. TEKIGO_STATIC_FEATURES="full" builds the
# whole command instead (about 16 MB and more, over the limit).
#
# Usage: scripts/build-static.sh [x86_64|aarch64]...   (default: both)
# Output: $CARGO_TARGET_DIR/static/tekigo-x86_64 and tekigo-aarch64 (target/static/ by
# default). Prints `SIZE tekigo-ARCH BYTES` lines for scripts/bench-scan.sh.
#
# Toolchains, all from Debian packages and rustup (installed when missing):
# - x86_64-unknown-linux-musl: C code (SQLite, for the rpm database) compiled with
#   musl-gcc (musl-tools); linked by the host's cc with Rust's self-contained musl.
# - aarch64-unknown-linux-musl: C code compiled with gcc-aarch64-linux-gnu against the
#   musl headers of Debian's musl-dev:arm64 (downloaded, not installed, so the host's
#   dpkg architectures stay as they are); linked by aarch64-linux-gnu-gcc with Rust's
#   self-contained musl libc and start files.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
cache="${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
out="$target_dir/static"
limit=10000000
features="${TEKIGO_STATIC_FEATURES:-scan}"

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(x86_64 aarch64)

need_apt() {
    local missing=()
    for cmd_pkg in "$@"; do
        command -v "${cmd_pkg%%:*}" >/dev/null || missing+=("${cmd_pkg#*:}")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get -o DPkg::Lock::Timeout=600 install -y -q "${missing[@]}" >/dev/null
    fi
}

need_target() {
    if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$1"; then
        rustup target add "$1"
    fi
}

# Size over the last percent of speed: a device binary is stored and shipped many times,
# and the scanner is bound by reading files. The workspace's release profile is left as it
# is for everything else. SQLite (read-only use, for the rpm database) is built without
# the full-text, R-tree and statistics extensions nothing in tekigo uses.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=s
export CARGO_PROFILE_RELEASE_LTO=fat
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_PROFILE_RELEASE_STRIP=true
# The device build (`--features scan`) is compiled nowhere else, so code only the full build
# uses shows up only here, as dead code: its warnings are errors.
export RUSTFLAGS="${RUSTFLAGS:-} -D warnings"
export LIBSQLITE3_FLAGS="-USQLITE_ENABLE_FTS3 -USQLITE_ENABLE_FTS3_PARENTHESIS -USQLITE_ENABLE_FTS5 -USQLITE_ENABLE_RTREE -USQLITE_ENABLE_DBSTAT_VTAB -USQLITE_ENABLE_STAT4 -USQLITE_SOUNDEX"

mkdir -p "$out"
for arch in "${arches[@]}"; do
    target="$arch-unknown-linux-musl"
    need_target "$target"
    case "$arch" in
    x86_64)
        need_apt musl-gcc:musl-tools
        export CC_x86_64_unknown_linux_musl=musl-gcc
        strip=strip
        ;;
    aarch64)
        need_apt aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu
        musl="$cache/cross/musl-dev-arm64"
        if [ ! -f "$musl/usr/include/aarch64-linux-musl/stdio.h" ]; then
            debs="$(mktemp -d)"
            scripts/lib/arm64-debs.sh "$debs" musl-dev
            rm -rf "$musl" && mkdir -p "$musl"
            dpkg-deb -x "$debs"/musl-dev_*_arm64.deb "$musl"
            rm -rf "$debs"
        fi
        gcc_include="$(aarch64-linux-gnu-gcc -print-file-name=include)"
        export CC_aarch64_unknown_linux_musl=aarch64-linux-gnu-gcc
        export CFLAGS_aarch64_unknown_linux_musl="-nostdinc -isystem $musl/usr/include/aarch64-linux-musl -isystem $gcc_include"
        export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=aarch64-linux-gnu-gcc
        strip=aarch64-linux-gnu-strip
        ;;
    *)
        echo "unknown architecture: $arch (x86_64 or aarch64)" >&2
        exit 2
        ;;
    esac
    cargo build --release -p tekigo-cli --no-default-features --features "$features" \
        --target "$target" --target-dir "$target_dir"
    cp "$target_dir/$target/release/tekigo" "$out/tekigo-$arch"
    "$strip" --strip-all "$out/tekigo-$arch"
done

status=0
for arch in "${arches[@]}"; do
    bin="$out/tekigo-$arch"
    size=$(stat -c %s "$bin")
    printf 'SIZE tekigo-%s %d (%s MB) %s\n' "$arch" "$size" \
        "$(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1000000 }')" "$bin"
    # Static: no program interpreter and no shared library needed.
    if readelf -lW "$bin" | grep -q 'program interpreter' || readelf -dW "$bin" | grep -q NEEDED; then
        echo "error: $bin is not statically linked" >&2
        status=1
    fi
    if [ "$size" -ge "$limit" ]; then
        echo "error: $bin is $size bytes, over the goal of $limit" >&2
        status=1
    fi
done
exit $status
