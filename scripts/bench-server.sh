#!/usr/bin/env bash
# Reproduces the "Web application" figures of docs/PERFORMANCE.md (issue 6), with wrk as the
# load generator on the same machine as the server:
#   page   the check sheet of a 62443-4-2 SL-4 assessment of an embedded device with every
#          requirement answered, 200 concurrent clients, on SQLite (and the same data
#          through the API, GET .../answers)
#   fleet  scan-report uploads (examples/gateway-inputs/scan.json, 156 KB, each one made
#          distinct) from 1,000 simulated devices with an API token, on PostgreSQL
#   login  a flood of wrong logins (issue 15 finding 3): wrk with FLOOD_CLIENTS (64)
#          connections for FLOOD_DURATION (20s), half against the administrator's name and
#          half against made-up names, while a second wrk (one connection, HEALTHZ_DURATION,
#          18s) times /healthz; prints the login answers by status, the /healthz latency
#          distribution and the server's peak RSS
#   vulns  the vulnerabilities page of a project whose SBOM (VULN_COMPONENTS PyPI packages,
#          2,000) has VULN_FINDINGS findings (2,500) in a database of synthetic OSV
#          advisories: the server's time and the page's size (curl, the median of 10), and,
#          when e2e/node_modules is installed, a browser's (e2e/bench-vulns.mjs): opening the
#          page in Japanese, recording a decision, filtering, the next page
# Usage: scripts/bench-server.sh [page|fleet|login|vulns|all]
# Environment: DURATION (30s), THREADS (wrk threads, 2), CLIENTS (page, 200),
#   FLEET_CLIENTS (fleet connections, 64), BENCH_DIR (work directory, recreated),
#   TEKIGO_BIN (a release binary to use instead of building one).
# Idempotent: installs wrk, curl and jq from Debian if missing, starts PostgreSQL with
# scripts/setup/60-postgres.sh, and uses a fresh data directory and a fresh PostgreSQL
# schema (tekigo_bench) on every run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
what="${1:-all}"
duration="${DURATION:-30s}"
threads="${THREADS:-2}"
clients="${CLIENTS:-200}"
fleet_clients="${FLEET_CLIENTS:-64}"
flood_clients="${FLOOD_CLIENTS:-64}"
flood_duration="${FLOOD_DURATION:-20s}"
healthz_duration="${HEALTHZ_DURATION:-18s}"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/tekigo-bench-server}"
password='bench kettle orbit 4711'

missing=()
needs=(curl jq wrk)
for cmd in "${needs[@]}"; do
    command -v "$cmd" >/dev/null || missing+=("$cmd")
done
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# TEKIGO_BIN: an already built release binary (skips the build).
if [ -n "${TEKIGO_BIN:-}" ]; then
    tekigo="$TEKIGO_BIN"
else
    cargo build --release -p tekigo-cli
    target_dir="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)"
    tekigo="$target_dir/release/tekigo"
fi
rm -rf "$work"
mkdir -p "$work"

server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        # VmHWM: the peak resident set size of the server process so far.
        echo "server peak RSS: $(awk '/^VmHWM/ { print $2 " " $3 }' "/proc/$server_pid/status")"
        kill "$server_pid"
        wait "$server_pid" || true
    fi
    server_pid=""
}
trap stop_server EXIT

# start_server DATA_DIR [DATABASE_URL] [VULNDB]: sets base and setup_token.
start_server() {
    local log="$work/serve.log"
    "$tekigo" serve --data "$1" --bind 127.0.0.1:0 ${2:+--database "$2"} ${3:+--vulndb "$3"} >"$log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        grep -q '^setup token: ' "$log" && break
        sleep 0.1
    done
    base="$(sed -n 's/^tekigo serve: listening on //p' "$log")"
    setup_token="$(sed -n 's/^setup token: //p' "$log")"
    [ -n "$base" ] && [ -n "$setup_token" ] || { cat "$log" >&2; exit 2; }
}

# Creates the administrator; sets cookie and csrf.
login() {
    curl -sSf -D "$work/headers" -o "$work/login.json" -H 'Content-Type: application/json' \
        -d "$(jq -n --arg t "$setup_token" --arg p "$password" \
            '{token: $t, username: "admin", password: $p}')" "$base/setup"
    cookie="$(tr -d '\r' <"$work/headers" | sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-tekigo_session=[^;]*\).*/\1/p')"
    csrf="$(jq -r .csrf "$work/login.json")"
}

# api METHOD PATH [JSON]: the answer's body; fails on any status but 200.
api() {
    curl -sSf -X "$1" -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
        -H 'Content-Type: application/json' ${3:+--data-binary "$3"} "$base$2"
}

import_gateway() {
    "$tekigo" server import examples/gateway --id plant --data "$1" ${2:+--database "$2"} >/dev/null
}

bench_page() {
    echo "== check sheet of a 62443-4-2 SL-4 assessment, $clients clients, SQLite"
    import_gateway "$work/page"
    start_server "$work/page"
    login
    api POST /api/projects/plant/assessments \
        '{"id":"sl4","standard":"62443-4-2","subject":"GW-400","type":"embedded","sl_t":[4]}' >/dev/null
    # Every requirement of an embedded device at SL-T 4, answered.
    "$tekigo" checklist --standard 62443-4-2 --type embedded --sl-t 4 --format json \
        | jq -r '.. | objects | select(has("id") and has("fr")) | .id' | sort -u >"$work/ids"
    local n=0
    while read -r id; do
        api PUT "/api/projects/plant/assessments/sl4/answers/$(jq -rn --arg s "$id" '$s|@uri')" \
            "$(jq -n --arg r "Benchmark answer for $id: the design document, section 4, and the test report show how the device meets it." \
                '{version: 0, status: "satisfied", reason: $r}')" >/dev/null
        n=$((n + 1))
    done <"$work/ids"
    echo "answered requirements: $n"
    local paths=(/api/projects/plant/assessments/sl4/answers)
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base/p/plant/a/sl4")" = 200 ]; then
        paths=(/p/plant/a/sl4 "${paths[@]}")
    else
        echo "(no check-sheet page at /p/{project}/a/{assessment} yet: API only)"
    fi
    for path in "${paths[@]}"; do
        local bytes
        bytes="$(curl -sSf -H "Cookie: $cookie" "$base$path" | wc -c)"
        echo "-- GET $path ($bytes bytes)"
        echo "wrk -t$threads -c$clients -d$duration --latency -H 'Cookie: __Host-tekigo_session=...' $base$path"
        wrk -t"$threads" -c"$clients" -d"$duration" --timeout 10s --latency \
            -H "Cookie: $cookie" "$base$path"
    done
    stop_server
}

bench_fleet() {
    echo "== scan uploads from 1,000 devices, $fleet_clients connections, PostgreSQL"
    bash scripts/setup/60-postgres.sh
    local url
    url="${TEKIGO_TEST_POSTGRES:-$(cat "${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}/postgres-url")}"
    PGOPTIONS='--client-min-messages=warning' psql "$url" -qc 'DROP SCHEMA IF EXISTS tekigo_bench CASCADE' -c 'CREATE SCHEMA tekigo_bench'
    local sep='?'
    case "$url" in *'?'*) sep='&' ;; esac
    local db="${url}${sep}options=-c%20search_path%3Dtekigo_bench"
    import_gateway "$work/fleet" "$db"
    start_server "$work/fleet" "$db"
    login
    local token
    token="$(api POST /api/tokens '{"name":"fleet"}' | jq -r .token)"
    cat >"$work/fleet.lua" <<'LUA'
-- wrk script of scripts/bench-server.sh: a fleet of 1,000 devices uploading scan reports.
-- Each request comes from the next device (dev-1 .. dev-1000, across all wrk threads) and
-- carries a distinct report: the scan target's path names the device and the upload, as a
-- new scan of a real device would differ from its last one, so every upload is new
-- evidence for the server to hash, store and record.
local file = assert(io.open(os.getenv("SCAN_JSON"), "rb"))
local report = file:read("*a")
file:close()
local head, tail = report:match('^(.-"path": ")[^"]*(".*)$')
assert(head, "scan report without a target path")
local token = os.getenv("TEKIGO_TOKEN")
local stride = tonumber(os.getenv("WRK_THREADS") or "1")

local created = 0
function setup(thread)
    thread:set("tid", created)
    created = created + 1
end

local sent = 0
function request()
    local n = sent * stride + tid
    sent = sent + 1
    local device = "dev-" .. (n % 1000 + 1)
    return wrk.format("POST", "/api/projects/plant/scans?device=" .. device, {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
    }, head .. "/fleet/" .. device .. "/upload-" .. n .. tail)
end
LUA
    echo "wrk -t$threads -c$fleet_clients -d$duration --latency -s fleet.lua $base (fleet.lua: see $0)"
    SCAN_JSON=examples/gateway-inputs/scan.json TEKIGO_TOKEN="$token" WRK_THREADS="$threads" \
        wrk -t"$threads" -c"$fleet_clients" -d"$duration" --timeout 10s --latency \
        -s "$work/fleet.lua" "$base"
    echo "scans stored: $(psql "$db" -qAtc 'SELECT count(*) FROM scans')"
    stop_server
    echo "evidence store: $(du -sh "$work/fleet/evidence" | cut -f1)"
}

bench_login() {
    echo "== login flood: wrk, $flood_clients connections of wrong logins for $flood_duration, /healthz timed by a second wrk, SQLite"
    start_server "$work/login"
    login
    local rss_before
    rss_before="$(awk '/^Vm(RSS|HWM)/ { printf "%s %s %s  ", $1, $2, $3 }' "/proc/$server_pid/status")"
    echo "server before the flood (after setup and one login): $rss_before"
    # Half the connections guess the administrator's password, half made-up names; each
    # request a new wrong password. done() prints the answers by status.
    cat >"$work/flood.lua" <<'LUA'
local threads = {}
function setup(thread)
    thread:set("id", #threads + 1)
    table.insert(threads, thread)
end
function init(args)
    codes = {}
    n = 0
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
end
function request()
    n = n + 1
    local name = "admin"
    if (n + id) % 2 == 0 then name = "nobody-" .. id .. "-" .. n end
    return wrk.format(nil, "/login", nil,
        string.format('{"username":"%s","password":"wrong guess %d %d"}', name, id, n))
end
function response(status, headers, body)
    codes[status] = (codes[status] or 0) + 1
end
function done(summary, latency, requests)
    local total = {}
    for _, t in ipairs(threads) do
        for status, count in pairs(t:get("codes")) do
            total[status] = (total[status] or 0) + count
        end
    end
    local line = "login answers:"
    for status, count in pairs(total) do line = line .. " " .. count .. " x " .. status end
    print(line)
end
LUA
    wrk -t1 -c"$flood_clients" -d"$flood_duration" --timeout 10s -s "$work/flood.lua" "$base" \
        >"$work/flood.out" 2>&1 &
    local flood=$!
    sleep 1
    # /healthz, one request after another on one connection, while the flood lasts.
    wrk -t1 -c1 -d"$healthz_duration" --timeout 10s --latency "$base/healthz" >"$work/healthz.out"
    wait "$flood"
    grep -E 'Requests/sec|login answers|requests in' "$work/flood.out" | sed 's/^/flood: /'
    echo "/healthz during the flood (wrk -t1 -c1 --latency):"
    sed -n '/Latency Distribution/,/requests in/p' "$work/healthz.out"
    stop_server
}

# median_get PATH: the median time and the size of 10 GETs of PATH.
median_get() {
    local times=()
    for _ in $(seq 10); do
        times+=("$(curl -sSf -o "$work/got" -w '%{time_total}' -H "Cookie: $cookie" "$base$1")")
    done
    echo "GET $1: median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 5p) s, $(wc -c <"$work/got") bytes"
}

bench_vulns() {
    local components="${VULN_COMPONENTS:-2000}" findings="${VULN_FINDINGS:-2500}"
    echo "== the vulnerabilities page: $components components, $findings findings, SQLite"
    mkdir -p "$work/vulns/osv"
    # Advisory i affects package benchpkg(i mod components) before 2.0; a fifth each
    # critical, high, medium, low and without a severity.
    python3 - "$work/vulns" "$components" "$findings" <<'PY'
import json, sys
out, components, findings = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
vectors = ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
           "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N"]
for i in range(findings):
    record = {
        "schema_version": "1.6.0", "id": f"PYSEC-2099-{i}", "modified": "2026-01-01T00:00:00Z",
        "published": "2026-01-01T00:00:00Z", "summary": f"Synthetic advisory {i}",
        "severity": [{"type": "CVSS_V3", "score": vectors[i % 5]}] if i % 5 < 4 else [],
        "affected": [{"package": {"ecosystem": "PyPI", "name": f"benchpkg{i % components}"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}],
    }
    with open(f"{out}/osv/PYSEC-2099-{i}.json", "w") as f:
        json.dump(record, f)
sbom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
    {"type": "library", "name": f"benchpkg{i}", "version": "1.0", "purl": f"pkg:pypi/benchpkg{i}@1.0"}
    for i in range(components)]}
with open(f"{out}/sbom.cdx.json", "w") as f:
    json.dump(sbom, f)
PY
    "$tekigo" vulndb import --db "$work/vulns/vuln.db" "$work/vulns/osv" >/dev/null
    import_gateway "$work/vulns/data"
    start_server "$work/vulns/data" "" "$work/vulns/vuln.db"
    login
    curl -sSf -X POST -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
        --data-binary @"$work/vulns/sbom.cdx.json" "$base/api/projects/plant/sboms?name=device" >/dev/null
    median_get "/p/plant/vulnerabilities?lang=ja"
    median_get "/p/plant/vulnerabilities?lang=ja&severity=critical&page=2"
    median_get "/api/projects/plant/vulnerabilities"
    if [ -d e2e/node_modules ]; then
        node e2e/bench-vulns.mjs "$base" admin "$password"
    else
        echo "(no e2e/node_modules: npm ci --prefix e2e for the browser's timings)"
    fi
    stop_server
}

case "$what" in
    page) bench_page ;;
    fleet) bench_fleet ;;
    login) bench_login ;;
    vulns) bench_vulns ;;
    all) bench_page; bench_fleet; bench_login; bench_vulns ;;
    *) echo "usage: $0 [page|fleet|login|vulns|all]" >&2; exit 2 ;;
esac
