#!/usr/bin/env bash
# Prints the cache key of the test images: the first 16 hex digits of a SHA-256 over every
# file in scripts/images (as `sha256sum` lists them, sorted by path). The scanner's tests
# compute the same key to find the images, so a changed builder means new images.
set -euo pipefail
cd "$(dirname "$0")"
find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
