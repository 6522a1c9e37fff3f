#!/usr/bin/env bash
# End-to-end tests of `tekigo serve` drive Debian's chromium with playwright-core, pinned in
# e2e/package-lock.json. Playwright's own browser builds cannot be downloaded here, so only
# playwright-core is installed (no install scripts) and e2e/browser.mjs points it at
# /usr/bin/chromium. e2e/smoke.mjs then proves the pair works; it runs again only when the
# chromium or playwright-core version changes.
set -euo pipefail
cd "$(dirname "$0")/../.."

. scripts/lib/setup.sh

# Node.js is not installed from here: Debian 12 has only Node.js 18, and the tests must not
# depend on a download from outside the package registries.
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ] || ! command -v npm >/dev/null 2>&1; then
    cat >&2 <<MSG
70-browser.sh: the browser tests need Node.js 20 or later with npm on PATH; found
node $(node --version 2>/dev/null || echo "(none)"), npm $(npm --version 2>/dev/null || echo "(none)").
Debian 12's nodejs package is version 18. Install Node.js 20 or later, for example from
NodeSource's Debian packages (https://github.com/nodesource/distributions) or the
official Linux binaries (https://nodejs.org/en/download), then run this again.
MSG
    exit 1
fi

if ! command -v chromium >/dev/null 2>&1; then
    apt_install chromium
fi

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

stamp_file="$cache_dir/browser-smoke"
stamp="$(chromium --version 2>/dev/null) / playwright-core $(node -p 'require("./e2e/node_modules/playwright-core/package.json").version')"
if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]; then
    node e2e/smoke.mjs
    mkdir -p "$cache_dir"
    printf '%s\n' "$stamp" >"$stamp_file.tmp"
    mv -f "$stamp_file.tmp" "$stamp_file"
fi
