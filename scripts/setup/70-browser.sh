#!/usr/bin/env bash
# End-to-end tests of `tekigo serve` drive Debian's chromium with playwright-core, pinned in
# e2e/package-lock.json. Playwright's own browser builds cannot be downloaded here, so only
# playwright-core is installed (no install scripts) and e2e/browser.mjs points it at
# /usr/bin/chromium. e2e/smoke.mjs then proves the pair works; it runs again only when the
# chromium or playwright-core version changes.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1; then
    apt_get() {
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
    }
    # DPkg::Lock::Timeout does not cover the lists lock of `apt-get update`, so wait for a
    # parallel update to finish by retrying.
    for _ in $(seq 120); do
        apt_get update -qq >/dev/null 2>&1 && break
        sleep 5
    done
    apt_get install -y -qq --no-install-recommends chromium >/dev/null
fi

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "70-browser: $tool not found; the e2e tests need Node.js 20 or later with npm" >&2
        exit 1
    fi
done

# Every package of the lock file must be installed at the locked version (faster than
# `npm ls`, which takes most of a second).
installed_matches_lock='
const fs = require("fs");
const lock = JSON.parse(fs.readFileSync("e2e/package-lock.json", "utf8"));
for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === "") continue;
    const file = `e2e/${path}/package.json`;
    if (!fs.existsSync(file) || JSON.parse(fs.readFileSync(file, "utf8")).version !== entry.version) process.exit(1);
}'
if ! node -e "$installed_matches_lock"; then
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix e2e --ignore-scripts --no-audit \
        --no-fund --loglevel=error >/dev/null
fi

cache_dir="${TEKIGO_CACHE_DIR:-${HOME:?}/.cache/tekigo}"
stamp_file="$cache_dir/browser-smoke"
stamp="$(chromium --version 2>/dev/null) / playwright-core $(node -p 'require("./e2e/node_modules/playwright-core/package.json").version')"
if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]; then
    node e2e/smoke.mjs
    mkdir -p "$cache_dir"
    printf '%s\n' "$stamp" >"$stamp_file.tmp"
    mv -f "$stamp_file.tmp" "$stamp_file"
fi
