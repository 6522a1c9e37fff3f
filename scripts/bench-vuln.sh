#!/usr/bin/env bash
# Reproduces the vulnerability database figures of docs/PERFORMANCE.md (issue 5):
# 500,000 generated OSV advisories over 7 ecosystems (one zip per ecosystem, as osv.dev ships
# them) and a 10,000-component CycloneDX SBOM.
# Needs hyperfine (apt-get install hyperfine) and GNU time (/usr/bin/time).
#   scripts/bench-vuln.sh [ADVISORIES] [COMPONENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
n_adv=${1:-500000}
n_comp=${2:-10000}
target=${CARGO_TARGET_DIR:-target}
cargo build --release -p tekigo-cli
cargo build --release -p tekigo-vulndb --example gen_bench
bin=$target/release/tekigo
work=${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}/bench-vuln-$n_adv-$n_comp
if [ ! -f "$work/sbom.cdx.json" ]; then
    "$target/release/examples/gen_bench" "$work" "$n_adv" "$n_comp"
fi
du -sh "$work"/osv-*.zip | awk '{s=s" "$1} END {print "input zips:" s}'
ls -l "$work/sbom.cdx.json" | awk '{print "sbom bytes: " $5}'
db=$(mktemp -d)/advisories.tkvdb
echo "== import (fresh database)"
/usr/bin/time -v "$bin" vulndb import --db "$db" "$work"/osv-*.zip 2>&1 \
    | grep -E "added|Elapsed|Maximum resident"
echo "== re-import (nothing changed)"
/usr/bin/time -v "$bin" vulndb import --db "$db" "$work"/osv-*.zip 2>&1 \
    | grep -E "added|Elapsed|Maximum resident"
ls -l "$db" | awk '{print "database bytes: " $5}'
echo "== scan vs parse only"
# The same SBOM with every version raised above every fix: lookups and range checks only.
sed 's/@[0-9]\./@9./g' "$work/sbom.cdx.json" > "$work/sbom-nohit.cdx.json"
hyperfine -N --warmup 3 --runs 30 \
    "$bin vuln scan $work/sbom.cdx.json --db $db --parse-only" \
    "$bin vuln scan $work/sbom.cdx.json --db $db --format json -o /dev/null" \
    "$bin vuln scan $work/sbom-nohit.cdx.json --db $db --format json -o /dev/null"
for sbom in sbom.cdx.json sbom-nohit.cdx.json; do
    /usr/bin/time -v "$bin" vuln scan "$work/$sbom" --db "$db" --format json -o /dev/null 2>&1 \
        | grep -E "Elapsed|Maximum resident" | sed "s|^|$sbom: |"
done
"$bin" vuln scan "$work/sbom.cdx.json" --db "$db" --format json \
    | python3 -c 'import json,sys; print("findings:", len(json.load(sys.stdin)))'
