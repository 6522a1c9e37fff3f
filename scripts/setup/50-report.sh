#!/usr/bin/env bash
# Reports (crates/tekigo-report) are tested as a reader meets them: the PDF's Japanese text
# is extracted with pdftotext (poppler-utils), typst needs a CJK font (Noto Sans CJK from
# fonts-noto-cjk), and the HTML report is opened in headless Chromium with no network.
set -euo pipefail
. "$(dirname "$0")/../lib/setup.sh"
missing=()
[ -n "$(ls /usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc 2>/dev/null)" ] || missing+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
fi
