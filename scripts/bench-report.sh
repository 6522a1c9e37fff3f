#!/usr/bin/env bash
# Reproduces the report figures of docs/PERFORMANCE.md: the full IEC 62443-4-2 report of one
# embedded component at SL-T 4 (every requirement answered) with 200 evidence files of
# 3.3 KB, as HTML, PDF (Japanese, so the CJK font is searched, subset and embedded) and OSCAL.
# Each run opens the project, loads and validates the assessment (checking that every
# evidence file is present), renders and writes the file: what `tekigo report` does.
# Needs hyperfine and the fonts of scripts/setup/50-report.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release -p tekigo-report --example bench_project
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
bin="$target_dir/release/examples/bench_project"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" make "$work/project" 4 200
hyperfine -N --warmup 2 --runs 10 \
    "$bin render $work/project html $work/report.html ja" \
    "$bin render $work/project pdf $work/report.pdf ja" \
    "$bin render $work/project pdf $work/report-en.pdf en" \
    "$bin render $work/project oscal $work/report.json en"
/usr/bin/time -v "$bin" render "$work/project" pdf "$work/report.pdf" ja 2>&1 \
    | grep -E "Maximum resident|Elapsed"
ls -l "$work"/report.* | awk '{print $9 ": " $5 " bytes"}'
if command -v pdfinfo >/dev/null; then pdfinfo "$work/report.pdf" | grep Pages; fi
# The same through the CLI, once `tekigo report` is wired (build it first:
# cargo build --release -p tekigo-cli).
cli="$target_dir/release/tekigo"
if [ -x "$cli" ] && "$cli" report --help >/dev/null 2>&1; then
    (cd "$work/project" && hyperfine -N --warmup 2 --runs 10 \
        "$cli report A --format html -o $work/cli.html" \
        "$cli report A --format pdf -o $work/cli.pdf")
fi
