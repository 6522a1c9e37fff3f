#!/usr/bin/env bash
# Reproduces the watch figures of docs/PERFORMANCE.md (issue 16): 1,000 releases whose SBOMs
# have 1,000 components each, drawn from the 10,000-component SBOM of scripts/bench-vuln.sh,
# matched again against its 500,000 generated advisories; each distinct component once (the
# watch) beside every SBOM on its own; then the watch alone in its own process, for its
# peak memory. Needs GNU time (/usr/bin/time).
#   scripts/bench-watch.sh [SBOMS] [COMPONENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
n_sboms=${1:-1000}
n_comp=${2:-1000}
target=${CARGO_TARGET_DIR:-target}
cache=${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}
data=$cache/bench-vuln-500000-10000
if [ ! -f "$data/sbom.cdx.json" ]; then
    cargo build --release -p tekigo-vulndb --example gen_bench
    "$target/release/examples/gen_bench" "$data" 500000 10000
fi
cargo build --release -p tekigo-release --example bench_watch
for mode in all watch-only; do
    echo "== $mode"
    /usr/bin/time -v "$target/release/examples/bench_watch" "$data" "$cache/bench-watch" \
        "$n_sboms" "$n_comp" "$mode" 2>&1 | grep -vE "^\s+(Average|Exit|File|Major|Minor|Page|Signals|Socket|Swaps|System|User|Voluntary|Involuntary|Percent|Command)"
done
