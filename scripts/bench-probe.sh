#!/usr/bin/env bash
# Benchmarks `tekigo probe` against the tools people combine today (issue 18): nmap -sV
# (ports and services), testssl.sh (TLS) and ssh-audit (SSH algorithms), on one device with
# five services made by scripts/probe-lab.sh in a loopback-only network namespace:
#   22 sshd-bad, 23 telnet, 80 http (login form), 443 tls-weak, 8443 tls-strong.
# Prints wall times (GNU time, one run each: the work is network-bound and each tool waits
# on the device's own delays) and what each tool found, as Markdown for
# docs/PERFORMANCE.md.
#
# Usage: scripts/bench-probe.sh [TEKIGO]   (default target/release/tekigo, else target/debug)
#        BENCH_KEEP=DIR keeps every tool's output in DIR.
# Needs root and the images of scripts/setup/30-images.sh. Installs nmap, testssl.sh,
# ssh-audit and time when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
tekigo=${1:-}
if [ -z "$tekigo" ]; then
    tekigo=target/release/tekigo
    [ -x "$tekigo" ] || tekigo=target/debug/tekigo
fi
[ -x "$tekigo" ] || { echo "bench-probe: build tekigo first (cargo build --release -p tekigo-cli)" >&2; exit 2; }
missing=()
for cmd_pkg in nmap:nmap testssl:testssl.sh ssh-audit:ssh-audit /usr/bin/time:time; do
    command -v "${cmd_pkg%%:*}" >/dev/null || missing+=("${cmd_pkg#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
ns=tkbench$$
work=$(mktemp -d)
trap 'scripts/probe-lab.sh down "$ns" >/dev/null 2>&1 || true; [ -n "${BENCH_KEEP:-}" ] && cp -r "$work" "$BENCH_KEEP"; rm -rf "$work"' EXIT
scripts/probe-lab.sh up "$ns" sshd-bad:22 telnet:23 http:80 tls-weak:443 tls-strong:8443 >/dev/null

run() { # NAME COMMAND...: wall seconds into $work/NAME.time, output into $work/NAME.out
    local name=$1
    shift
    /usr/bin/time -f %e -o "$work/$name.time" ip netns exec "$ns" "$@" >"$work/$name.out" 2>&1 || true
}

run tekigo "$tekigo" probe --target 127.0.0.1 --format json --rate 2000
run nmap nmap -sV -p- -T4 -n 127.0.0.1
run testssl443 testssl --quiet --color 0 --warnings off 127.0.0.1:443
run testssl8443 testssl --quiet --color 0 --warnings off 127.0.0.1:8443
run sshaudit ssh-audit -n 127.0.0.1

t() { tail -n 1 "$work/$1.time"; }
fails=$(python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
print(", ".join(x["check"].removeprefix("probe.") for x in r["results"] if x["verdict"]=="fail"))' "$work/tekigo.out")
services=$(grep -E '^[0-9]+/tcp +open' "$work/nmap.out" | awk '{print $1" "$3}' | paste -sd ';' | sed 's/;/; /g')
ts443=$(grep -cE 'offered \(NOT ok\)|VULNERABLE|NOT ok' "$work/testssl443.out" || true)
ts8443=$(grep -cE 'offered \(NOT ok\)|VULNERABLE|NOT ok' "$work/testssl8443.out" || true)
sa=$(grep -cE '^\(.*-- \[(fail|warn)\]' "$work/sshaudit.out" || true)
total=$(python3 -c 'import sys; print(round(sum(float(x) for x in sys.argv[1:]),1))' \
    "$(t nmap)" "$(t testssl443)" "$(t testssl8443)" "$(t sshaudit)")
cat <<EOF
| tool | wall time (s) | what it found |
|---|---|---|
| \`tekigo probe --target 127.0.0.1 --rate 2000\` (all 65535 ports) | $(t tekigo) | failing checks: $fails |
| \`nmap -sV -p- -T4\` | $(t nmap) | $services |
| \`testssl\` 127.0.0.1:443 | $(t testssl443) | $ts443 lines NOT ok / VULNERABLE |
| \`testssl\` 127.0.0.1:8443 | $(t testssl8443) | $ts8443 lines NOT ok / VULNERABLE |
| \`ssh-audit\` 127.0.0.1:22 | $(t sshaudit) | $sa algorithms marked fail or warn |
| nmap + testssl.sh ×2 + ssh-audit | $total | |
EOF
