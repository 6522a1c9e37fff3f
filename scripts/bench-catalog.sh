#!/usr/bin/env bash
# Reproduces the catalog and checklist figures of docs/PERFORMANCE.md.
# Needs hyperfine (apt-get install hyperfine) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p tekigo-cli
bin=target/release/tekigo
export TEKIGO_DATA_DIR="$(mktemp -d)"
hyperfine -N --warmup 3 --runs 30 \
    "$bin checklist --standard 62443-4-2 --type embedded --sl-t 2 --format json" \
    "$bin checklist --standard 62443-4-2 --type embedded --sl-t 4 --format table" \
    "$bin catalog export --standard 62443-4-2 --format oscal" \
    "$bin catalog validate"
/usr/bin/time -v "$bin" checklist --standard 62443-4-2 --type embedded --sl-t 4 --format json 2>&1 >/dev/null \
    | grep -E "Maximum resident|Elapsed"
ls -l "$bin" | awk '{print "binary size: " $5 " bytes"}'
