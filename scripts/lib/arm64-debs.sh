#!/usr/bin/env bash
# Downloads Debian arm64 packages (.deb files, not installed) into a directory, with a
# private apt state under the cache, so the host's dpkg architectures and apt lists stay as
# they are. Used by scripts/build-static.sh (musl headers for aarch64) and
# scripts/test-aarch64.sh (BusyBox for the arm64 root filesystem).
#
# Usage: scripts/lib/arm64-debs.sh DEST PACKAGE...
set -euo pipefail
dest="$1"
shift
state="${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}/apt-arm64"
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$dest"
apt_opts=(
    -o "Dir::State::Lists=$state/lists"
    -o "Dir::Cache=$state/cache"
    -o "Dir::State::status=/dev/null"
    -o "APT::Architecture=arm64"
    -o "APT::Architectures::=arm64"
    -o "APT::Sandbox::User=root"
)
# Refresh the package lists at most once a day.
if [ -z "$(find "$state/lists" -maxdepth 1 -name '*Packages*' -mtime -1 -print -quit)" ]; then
    apt-get -q "${apt_opts[@]}" update >/dev/null
fi
cd "$dest"
for pkg in "$@"; do
    apt-get -q "${apt_opts[@]}" download "$pkg:arm64" >/dev/null
done
