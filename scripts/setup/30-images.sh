#!/usr/bin/env bash
# Root filesystem images for the device scanner's integration tests (tekigo-scan), plus
# the tools its tests call to make real crypt(3) hashes and archives, and the SARIF schema.
#
# Images are cached under ${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}/images/KEY, where KEY is
# a hash of scripts/images/ (scripts/images/key.sh): they are rebuilt only when the
# builder changes, and older keys are removed. Building needs root (debootstrap, chroot)
# and the Debian mirror apt already uses. The tests find the images at the same path (or
# at $TEKIGO_IMAGES_DIR) and fail when CI=true and an image is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/setup.sh

cache=$cache_dir/images
key=$(scripts/images/key.sh)
dest=$cache/$key

need=()
command -v openssl >/dev/null || need+=(openssl)
command -v mkpasswd >/dev/null || need+=(whois)
command -v zstd >/dev/null || need+=(zstd)
command -v xz >/dev/null || need+=(xz-utils)
complete=true
for name in minbase hardened busybox; do
    [ -f "$dest/$name/.tekigo-image-complete" ] || complete=false
done
if [ "$complete" = false ]; then
    command -v debootstrap >/dev/null || need+=(debootstrap)
fi

if [ ${#need[@]} -gt 0 ]; then
    apt_install "${need[@]}"
fi
if [ "$complete" = true ]; then
    echo "30-images: images up to date in $dest"
else
    need_root "build the root filesystem images in $dest (debootstrap, chroot)"
    mkdir -p "$cache"
    find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
    scripts/images/build.sh "$dest"
fi

# The official SARIF 2.1.0 schema, as shipped in the npm package @microsoft/jest-sarif: the
# CLI tests check `tekigo scan --format sarif` against it (with jsonschema, 10-python.sh).
sarif=$cache_dir/sarif
if [ ! -f "$sarif/sarif-2.1.0-rtm.5.json" ]; then
    if ! command -v npm >/dev/null; then
        echo "30-images.sh: the SARIF schema comes from npm (@microsoft/jest-sarif) and npm is missing: install Node.js 20 or later with npm (see 70-browser.sh), then run again" >&2
        exit 1
    fi
    tmp=$(mktemp -d)
    if ! (cd "$tmp" && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null &&
        tar xzf ./*.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json); then
        rm -rf "$tmp"
        echo "30-images.sh: could not fetch @microsoft/jest-sarif from the npm registry" >&2
        exit 1
    fi
    mkdir -p "$sarif"
    cp "$tmp/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$sarif/"
    rm -rf "$tmp"
fi
