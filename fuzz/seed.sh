#!/usr/bin/env bash
# Seeds the corpora of the targets whose input is a file tekigo itself writes, which a fuzzer
# starting from nothing rarely gets past the header of: `vulndb_file` (an advisory database
# imported from the tekigo-vulndb test fixtures, the packages the target queries) and
# `kconfig_index` (the index of the tekigo-kconfig fixture tree). Run from the repository:
#   fuzz/seed.sh [TEKIGO]     (default target/debug/tekigo, built if missing)
# then e.g. `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run vulndb_file -- -max_total_time=120`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/tekigo}
[ -x "$bin" ] || cargo build -p tekigo-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p fuzz/corpus/vulndb_file fuzz/corpus/kconfig_index
fixtures=crates/tekigo-vulndb/tests/fixtures
"$bin" vulndb import --db "$work/all.tkvdb" "$fixtures"/osv "$fixtures"/nvd "$fixtures"/csaf \
    "$fixtures"/kev >/dev/null
"$bin" vulndb import --db "$work/osv.tkvdb" "$fixtures"/osv >/dev/null
cp "$work/all.tkvdb" fuzz/corpus/vulndb_file/seed-all
cp "$work/osv.tkvdb" fuzz/corpus/vulndb_file/seed-osv
"$bin" kconfig index crates/tekigo-kconfig/tests/fixtures/linux-6.1.192 -o "$work/tree.kbuild" >/dev/null
cp "$work/tree.kbuild" fuzz/corpus/kconfig_index/seed-tree
ls -l fuzz/corpus/vulndb_file/seed-* fuzz/corpus/kconfig_index/seed-*
