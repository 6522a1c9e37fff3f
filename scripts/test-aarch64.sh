#!/usr/bin/env bash
# Runs the static aarch64 `tekigo` under qemu-user against an arm64 root filesystem built
# from Debian's arm64 busybox-static package: the binary a device would carry, on the
# architecture it would run on.
#
# Usage: scripts/test-aarch64.sh
# Builds target/static/tekigo-aarch64 with scripts/build-static.sh when it is missing (set
# TEKIGO_AARCH64_BIN to use another). Installs qemu-user-static when missing. The root is
# cached under ${TEKIGO_CACHE_DIR:-~/.cache/tekigo}/roots/. Ends with `N passed, N failed`;
# exit status 0 only when nothing failed.
#
# Checks: the binary is an aarch64 static executable; `catalog list` runs and prints the
# same as the x86_64 build (when that exists); once `tekigo scan` exists, `scan --root ROOT
# --format json` prints results with the interface fields, and `--sbom` writes a CycloneDX
# document that validates and lists the root's arm64 busybox-static package.
set -uo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
. scripts/lib/setup.sh
python="$(tekigo_python)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
bin="${TEKIGO_AARCH64_BIN:-$target_dir/static/tekigo-aarch64}"
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

set -e
command -v qemu-aarch64-static >/dev/null || apt_install qemu-user-static
[ -x "$bin" ] || scripts/build-static.sh aarch64

# The arm64 root: BusyBox from Debian's arm64 package, its applet links, a few files of
# /etc, and the dpkg record of the package the files came from.
root="$cache_dir/roots/busybox-arm64"
if [ ! -x "$root/bin/busybox" ]; then
    debs="$(mktemp -d)"
    scripts/lib/arm64-debs.sh "$debs" busybox-static
    deb="$(echo "$debs"/busybox-static_*_arm64.deb)"
    rm -rf "$root.tmp" && mkdir -p "$root.tmp"
    dpkg-deb -x "$deb" "$root.tmp"
    mkdir -p "$root.tmp"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/lib/dpkg}
    for applet in $(qemu-aarch64-static "$root.tmp/bin/busybox" --list-full); do
        [ -e "$root.tmp/$applet" ] || ln -s /bin/busybox "$root.tmp/$applet"
    done
    cat >"$root.tmp/etc/os-release" <<'OS'
NAME="tekigo arm64 BusyBox test root"
ID=tekigo-test
ID_LIKE=debian
VERSION_ID=1
PRETTY_NAME="tekigo arm64 BusyBox test root 1"
OS
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root.tmp/etc/passwd"
    printf 'root:*:19000:0:99999:7:::\n' >"$root.tmp/etc/shadow"
    printf 'root:x:0:\n' >"$root.tmp/etc/group"
    chmod 640 "$root.tmp/etc/shadow"
    printf '::sysinit:/bin/mount -a\nttyAMA0::respawn:/sbin/getty -L 115200 ttyAMA0 vt100\n' \
        >"$root.tmp/etc/inittab"
    {
        dpkg-deb -f "$deb" Package
        echo "Status: install ok installed"
        dpkg-deb -f "$deb" Priority Section Installed-Size Maintainer Architecture Source Version Description
    } | sed '1s/^/Package: /' >"$root.tmp/var/lib/dpkg/status"
    rm -rf "$debs" "$root" && mv "$root.tmp" "$root"
fi
set +e

run() { qemu-aarch64-static "$bin" "$@"; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if readelf -hW "$bin" | grep -q 'Machine:.*AArch64' && ! readelf -lW "$bin" | grep -q 'program interpreter'; then
    pass "binary is a static aarch64 executable"
else
    fail "binary is not a static aarch64 executable: $bin"
fi
if readelf -hW "$root/bin/busybox" | grep -q 'Machine:.*AArch64'; then
    pass "root's busybox is arm64"
else
    fail "root's busybox is not arm64"
fi

if run catalog list --standard 62443-4-2 >"$out/catalog.txt" 2>"$out/err" && grep -q 'CR 1.1' "$out/catalog.txt"; then
    pass "catalog list runs under qemu-aarch64"
else
    fail "catalog list: $(cat "$out/err")"
fi
x86="$target_dir/static/tekigo-x86_64"
if [ -x "$x86" ]; then
    if "$x86" catalog list --standard 62443-4-2 | cmp -s - "$out/catalog.txt"; then
        pass "catalog list prints the same on aarch64 and x86_64"
    else
        fail "catalog list differs between aarch64 and x86_64"
    fi
fi

if ! run scan --help >/dev/null 2>&1; then
    echo "SKIP tekigo scan does not exist in this build yet"
else
    run scan --root "$root" --format json >"$out/scan.json" 2>"$out/err"
    code=$?
    if [ "$code" -le 1 ] && "$python" - "$out/scan.json" <<'PY'; then
import json, sys
doc = json.load(open(sys.argv[1]))
results = doc["results"]
assert "schema_version" in doc and results, "no schema_version or no results"
for r in results:
    assert {"check", "requirements", "verdict", "evidence"} <= r.keys(), r
    assert r["verdict"] in {"pass", "fail", "absent", "not_applicable", "unreadable"}, r
print(f"{len(results)} results")
PY
        pass "scan --root ARM64_ROOT --format json (exit $code)"
    else
        fail "scan --root ARM64_ROOT --format json (exit $code): $(head -c 500 "$out/err")"
    fi
    if run scan --help 2>&1 | grep -q -- '--sbom'; then
        run scan --root "$root" --format json --sbom "$out/sbom.json" >/dev/null 2>"$out/err"
        if "$python" crates/tekigo-pkgdb/tests/validate_cyclonedx.py "$out/sbom.json" &&
            grep -q 'pkg:deb/tekigo-test/busybox-static@.*arch=arm64' "$out/sbom.json"; then
            pass "scan --sbom writes a valid CycloneDX SBOM listing busybox-static (arm64)"
        else
            fail "scan --sbom: $(head -c 500 "$out/err")"
        fi
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
