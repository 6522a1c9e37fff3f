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
echo "== import of one more advisory (every old record carried over)"
# A copy of one advisory under a new id, for a package no SBOM here has.
python3 - "$work/osv-0.zip" > "$work/new-1.json" <<'EOF'
import json, sys, zipfile
adv = json.loads(zipfile.ZipFile(sys.argv[1]).read("BENCH-0-5.json"))
adv["id"] = "BENCH-NEW-1"
adv["affected"][0]["package"]["name"] = "not-in-any-sbom"
print(json.dumps(adv))
EOF
/usr/bin/time -v "$bin" vulndb import --db "$db" "$work"/osv-*.zip "$work/new-1.json" 2>&1 \
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
# The same SBOM with twice the findings (12,152 on the default data, the most one version
# per component gets from it): every component at version 0.0.0, below every fix.
sed -E 's/@[0-9]+\.[0-9]+\.[0-9]+/@0.0.0/g' "$work/sbom.cdx.json" > "$work/sbom-many.cdx.json"
hyperfine -N --warmup 3 --runs 30 \
    "$bin vuln scan $work/sbom-many.cdx.json --db $db --parse-only" \
    "$bin vuln scan $work/sbom-many.cdx.json --db $db --format json -o /dev/null"
/usr/bin/time -v "$bin" vuln scan "$work/sbom-many.cdx.json" --db "$db" --format json -o /dev/null 2>&1 \
    | grep -E "Elapsed|Maximum resident" | sed "s|^|sbom-many.cdx.json: |"
"$bin" vuln scan "$work/sbom-many.cdx.json" --db "$db" --format json \
    | python3 -c 'import json,sys; print("findings:", len(json.load(sys.stdin)))'
# The issue's SBOM with 15,000 findings: 12,500 components drawn from the same data
# (`gen_bench ... sbom-only`: the first 10,000 are those of sbom.cdx.json), every one at
# 0.0.0, below every fix (15,152 findings on the default data).
if [ ! -f "$work/sbom-15k.cdx.json" ]; then
    "$target/release/examples/gen_bench" "$work/15k" "$n_adv" $((n_comp * 5 / 4)) sbom-only
    sed -E 's/@[0-9]+\.[0-9]+\.[0-9]+/@0.0.0/g' "$work/15k/sbom.cdx.json" > "$work/sbom-15k.cdx.json"
fi
hyperfine -N --warmup 3 --runs 30 \
    "$bin vuln scan $work/sbom-15k.cdx.json --db $db --parse-only" \
    "$bin vuln scan $work/sbom-15k.cdx.json --db $db --format json -o /dev/null"
/usr/bin/time -v "$bin" vuln scan "$work/sbom-15k.cdx.json" --db "$db" --format json -o /dev/null 2>&1 \
    | grep -E "Elapsed|Maximum resident" | sed "s|^|sbom-15k.cdx.json: |"
"$bin" vuln scan "$work/sbom-15k.cdx.json" --db "$db" --format json \
    | python3 -c 'import json,sys; print("findings:", len(json.load(sys.stdin)))'
# The other output formats on the same SBOM: the table (the default) and SARIF, each to a
# file, as CI writes them (the memory target holds for every format).
for format in table sarif; do
    /usr/bin/time -v "$bin" vuln scan "$work/sbom-15k.cdx.json" --db "$db" --format "$format" \
        -o "$work/out.$format" 2>&1 | grep -E "Elapsed|Maximum resident" \
        | sed "s|^|sbom-15k.cdx.json --format $format: |"
done
# CPU time and page faults of the scan against the parse alone on the three SBOMs (issue 20's
# target: at most 2x), steadier than wall time on a loaded machine; needs perf (linux-perf).
if command -v perf >/dev/null; then
    for sbom in sbom.cdx.json sbom-many.cdx.json sbom-15k.cdx.json; do
        for mode in --parse-only "--format json -o /dev/null"; do
            # shellcheck disable=SC2086
            perf stat -r 5 -e task-clock,page-faults "$bin" vuln scan "$work/$sbom" --db "$db" \
                $mode 2>&1 >/dev/null | grep -E "task-clock|page-faults" | sed "s|^|$sbom $mode: |"
        done
    done
fi
# Side by side with OWASP dep-scan's vulnerability database (PyPI appthreat-vulnerability-db,
# in a venv under the cache directory), driven through its own import and bulk search with
# only the download replaced (scripts/bench/depscan_vdb.py), on data of DEPSCAN_ADVISORIES
# advisories (its import takes minutes per 100,000); both tools' findings are checked
# against a plain recomputation (scripts/bench/vuln_oracle.py). DEPSCAN_ADVISORIES=0 skips.
n_dep=${DEPSCAN_ADVISORIES:-200000}
if [ "$n_dep" -gt 0 ]; then
    cache=${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}
    venv=$cache/depscan-venv
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import vdb' 2>/dev/null; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q appthreat-vulnerability-db==7.0.3
    fi
    dwork=$cache/bench-vuln-$n_dep-$n_comp
    if [ ! -f "$dwork/sbom.cdx.json" ]; then
        "$target/release/examples/gen_bench" "$dwork" "$n_dep" "$n_comp"
    fi
    ddb=$(mktemp -d)
    echo "== $n_dep advisories, $n_comp components: tekigo"
    /usr/bin/time -v "$bin" vulndb import --db "$ddb/tekigo.tkvdb" "$dwork"/osv-*.zip 2>&1 \
        | grep -E "Elapsed|Maximum resident" | sed "s|^|import: |"
    /usr/bin/time -v "$bin" vuln scan "$dwork/sbom.cdx.json" --db "$ddb/tekigo.tkvdb" \
        --format json -o "$ddb/tekigo.json" 2>&1 | grep -E "Elapsed|Maximum resident" | sed "s|^|scan: |"
    python3 -c 'import json,sys; json.dump([[r["component"], r["vulnerability"]] for r in json.load(open(sys.argv[1]))], open(sys.argv[2], "w"))' \
        "$ddb/tekigo.json" "$ddb/tekigo-pairs.json"
    python3 scripts/bench/vuln_oracle.py compare "$dwork" tekigo "$ddb/tekigo-pairs.json"
    echo "== the same with dep-scan's vdb $("$venv/bin/pip" show appthreat-vulnerability-db | sed -n 's/^Version: //p')"
    VDB_HOME=$ddb/vdb /usr/bin/time -v "$venv/bin/python" scripts/bench/depscan_vdb.py import "$dwork" 2>&1 \
        | grep -E "Elapsed|Maximum resident" | sed "s|^|import: |"
    VDB_HOME=$ddb/vdb /usr/bin/time -v "$venv/bin/python" scripts/bench/depscan_vdb.py search \
        "$dwork/sbom.cdx.json" "$ddb/depscan-pairs.json" 2>&1 \
        | grep -E "Elapsed|Maximum resident|findings" | sed "s|^|search: |"
    python3 scripts/bench/vuln_oracle.py compare "$dwork" dep-scan "$ddb/depscan-pairs.json"
    rm -rf "$ddb"
fi
# Issue 20: the Linux kernel CNA's own CVE records (CVE JSON 5), when a checkout of the
# kernel's vulns repository is given: import, then a CIP kernel decided by the arm64
# configuration (tekigo-kconfig's fixture, generated from 6.1.192's arm64 defconfig) and the
# Kbuild files of a kernel tree (TEKIGO_KERNEL_SOURCE, e.g. Debian's linux-source-6.1
# unpacked; default: the few Kbuild files shipped as fixtures, which leave most files unknown).
#   TEKIGO_KERNEL_VULNS=/path/to/vulns TEKIGO_KERNEL_SOURCE=/path/to/linux scripts/bench-vuln.sh
if [ -n "${TEKIGO_KERNEL_VULNS:-}" ]; then
    kdb=$(mktemp -d)/kernel.tkvdb
    echo "== import of the kernel's CVE records"
    /usr/bin/time -v "$bin" vulndb import --db "$kdb" "$TEKIGO_KERNEL_VULNS/cve/published" 2>&1 \
        | grep -E "added|Elapsed|Maximum resident"
    ksbom=$(mktemp -d)/kernel.cdx.json
    cat > "$ksbom" <<'JSON'
{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
 "components": [{"type": "operating-system", "name": "linux", "version": "5.10.200-cip40",
                 "purl": "pkg:generic/linux@5.10.200-cip40"}]}
JSON
    fixtures=crates/tekigo-kconfig/tests/fixtures
    kargs=(--kernel-config "$fixtures/config/arm64-6.1.192.config"
           --kernel-source "${TEKIGO_KERNEL_SOURCE:-$fixtures/linux-6.1.192}")
    echo "== a 5.10 CIP kernel against every kernel CVE, with the arm64 configuration"
    /usr/bin/time -v "$bin" vuln scan "$ksbom" --db "$kdb" --format json -o /dev/null \
        "${kargs[@]}" 2>&1 | grep -E "Elapsed|Maximum resident"
    "$bin" vuln scan "$ksbom" --db "$kdb" --format json "${kargs[@]}" | python3 -c '
import collections, json, sys
rows = json.load(sys.stdin)
print("findings:", len(rows), dict(collections.Counter(r["state"] for r in rows)))'
fi
