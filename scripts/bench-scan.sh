#!/usr/bin/env bash
# Benchmarks the device scanner against the tools people use today, side by side in one
# run (issue 4), and prints the figures as Markdown for docs/PERFORMANCE.md:
#   (a) `tekigo scan` against `lynis audit system --quick` on the live system;
#   (b) `tekigo scan --root ROOT` against `oscap-chroot ROOT xccdf eval` with the SCAP
#       Security Guide's Debian 11 content and its standard profile, on a debootstrapped
#       Debian 11 (bullseye) minbase root: ssg-debian has content for Debian 10 and 11
#       only, and content for another release would evaluate every rule as not applicable;
#   (c) the size of the static binaries.
# Wall time: hyperfine (-N, no shell; -i, since both scanners exit non-zero on findings).
# Peak memory: GNU time's "Maximum resident set size", the largest single process of the
# command and the children it waited for (Lynis runs many small processes; OpenSCAP one).
#
# Usage: scripts/bench-scan.sh            (RUNS=5 by default; RUNS=N to change)
# Measures $CARGO_TARGET_DIR/static/tekigo-x86_64 (target/static/ by default), built by
# scripts/build-static.sh when missing.
# Needs root (Lynis and OpenSCAP read /etc/shadow and friends; debootstrap). Installs
# hyperfine, lynis, ssg-debian, openscap-scanner, openscap-utils, debootstrap and time
# when missing. The bullseye root is cached under ${TEKIGO_CACHE_DIR:-~/.cache/tekigo}.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
cache="${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
runs="${RUNS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

missing=()
for cmd_pkg in hyperfine:hyperfine lynis:lynis oscap:openscap-scanner oscap-chroot:openscap-utils \
    debootstrap:debootstrap /usr/bin/time:time; do
    command -v "${cmd_pkg%%:*}" >/dev/null || missing+=("${cmd_pkg#*:}")
done
[ -f /usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml ] || missing+=(ssg-debian)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 install -y -q "${missing[@]}" >/dev/null
fi

# (c) first: the static binaries are what is measured below (built when missing; run
# scripts/build-static.sh first to measure a fresh build).
tekigo="$target_dir/static/tekigo-x86_64"
[ -x "$tekigo" ] || scripts/build-static.sh x86_64 >&2
sizes=""
for bin in "$target_dir"/static/tekigo-*; do
    sizes+="$(basename "$bin") $(awk -v s="$(stat -c %s "$bin")" 'BEGIN { printf "%.2f", s / 1000000 }') MB; "
done

root="$cache/roots/bullseye-minbase"
if [ ! -f "$root/etc/debian_version" ]; then
    rm -rf "$root.tmp"
    debootstrap --variant=minbase bullseye "$root.tmp" http://deb.debian.org/debian >"$work/debootstrap.log" ||
        { tail -20 "$work/debootstrap.log"; exit 1; }
    rm -rf "$root" && mv "$root.tmp" "$root"
fi

ds=/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml
profile=xccdf_org.ssgproject.content_profile_standard

# The comparison is only fair if OpenSCAP really evaluates rules on this root.
oscap-chroot "$root" xccdf eval --profile "$profile" --results "$work/oscap.xml" "$ds" >/dev/null 2>&1 || true
oscap_counts="$(grep -o '<result>[a-z]*</result>' "$work/oscap.xml" | sort | uniq -c |
    awk '{ gsub(/<\/?result>/, "", $2); printf "%s%s %s", sep, $1, $2; sep=", " }')"

has_scan=0
"$tekigo" scan --help >/dev/null 2>&1 && has_scan=1

peak_kb() { # peak RSS in kB of one run of the command
    /usr/bin/time -v "$@" >/dev/null 2>"$work/time" || true
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time"
}
mean() { # "mean ± σ" of command N in a hyperfine JSON export
    python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]
def fmt(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"
print(f"{fmt(r['mean'])} ± {fmt(r['stddev'])}")
PY
}

lynis_cmd=(lynis audit system --quick --no-colors --no-log)
oscap_cmd=(oscap-chroot "$root" xccdf eval --profile "$profile" "$ds")

if [ "$has_scan" = 1 ]; then
    live_cmd=("$tekigo" scan --format json)
    root_cmd=("$tekigo" scan --root "$root" --format json)
    hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$work/live.json" \
        "${live_cmd[*]}" "${lynis_cmd[*]}" >&2
    hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$work/root.json" \
        "${root_cmd[*]}" "${oscap_cmd[*]}" >&2
    tekigo_live_time="$(mean "$work/live.json" 0)"
    lynis_time="$(mean "$work/live.json" 1)"
    tekigo_root_time="$(mean "$work/root.json" 0)"
    oscap_time="$(mean "$work/root.json" 1)"
    tekigo_live_kb="$(peak_kb "${live_cmd[@]}")"
    tekigo_root_kb="$(peak_kb "${root_cmd[@]}")"
    ratio_time_live="$(python3 -c "import json;r=json.load(open('$work/live.json'))['results'];print(f\"{r[1]['mean']/r[0]['mean']:.0f}\")")"
    ratio_time_root="$(python3 -c "import json;r=json.load(open('$work/root.json'))['results'];print(f\"{r[1]['mean']/r[0]['mean']:.0f}\")")"
else
    echo "tekigo scan does not exist in this build yet: only Lynis, OpenSCAP and the binary size are measured" >&2
    hyperfine -N -i --warmup 0 --runs "$runs" --export-json "$work/live.json" "${lynis_cmd[*]}" >&2
    hyperfine -N -i --warmup 0 --runs "$runs" --export-json "$work/root.json" "${oscap_cmd[*]}" >&2
    lynis_time="$(mean "$work/live.json" 0)"
    oscap_time="$(mean "$work/root.json" 0)"
    tekigo_live_time="(no scanner yet)"; tekigo_root_time="(no scanner yet)"
    tekigo_live_kb=""; tekigo_root_kb=""; ratio_time_live="-"; ratio_time_root="-"
fi
lynis_kb="$(peak_kb "${lynis_cmd[@]}")"
oscap_kb="$(peak_kb "${oscap_cmd[@]}")"

mb() { [ -n "$1" ] && awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }' || echo "-"; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a / b }' || echo "-"; }

cat <<EOF

### Results ($(date -u +%Y-%m-%d), $(nproc) cores, RUNS=$runs)

| comparison | command | wall time (mean ± σ) | peak RSS |
|---|---|---|---|
| live system | \`tekigo scan --format json\` | $tekigo_live_time | $(mb "$tekigo_live_kb") |
| live system | \`${lynis_cmd[*]}\` | $lynis_time | $(mb "$lynis_kb") |
| bullseye root | \`tekigo scan --root ROOT --format json\` | $tekigo_root_time | $(mb "$tekigo_root_kb") |
| bullseye root | \`oscap-chroot ROOT xccdf eval --profile $profile ssg-debian11-ds.xml\` | $oscap_time | $(mb "$oscap_kb") |

- Lynis / tekigo wall time: ${ratio_time_live}x (goal: at least 20x).
- OpenSCAP / tekigo wall time: ${ratio_time_root}x; peak memory: $(ratio "$oscap_kb" "$tekigo_root_kb")x (goal: at least 10x less memory).
- OpenSCAP's rule results on the root: $oscap_counts.
- Static binaries (stripped): ${sizes%; } (goal: under 10 MB).
EOF
