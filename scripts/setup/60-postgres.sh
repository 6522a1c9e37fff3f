#!/usr/bin/env bash
# `tekigo serve` runs on SQLite by default and on PostgreSQL for scale; its API tests run
# against both. This installs Debian's PostgreSQL, starts a cluster (CI has no systemd, and a
# new session starts with the server stopped), and creates the role `tekigo` with a random
# password and the database `tekigo_test` owned by it. The role may create databases, so a
# test can make a throwaway database of its own.
#
# The connection URL is written to ${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}/postgres-url
# (mode 0600); tests read it when TEKIGO_TEST_POSTGRES is not set. With TEKIGO_TEST_POSTGRES
# set, the tests use that server instead and nothing is installed or started here. Re-running
# keeps the password from the file and only makes sure the server is up.
#
# Each run, on either server, also drops the schemas tests left more than a day ago
# (crates/tekigo-store/src/testing.rs names them `t_<time>_<random>`; only those, and only
# the ones the connecting role may use); a day keeps those of a suite running beside.
set -euo pipefail
. "$(dirname "$0")/../lib/setup.sh"

# Drops, one transaction each (a schema holds dozens of tables, each a lock), the test
# schemas older than a day, and those of the older naming without a time.
drop_stale_test_schemas() {
    psql "$1" -qAtX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT format('DROP SCHEMA %I CASCADE', nspname)
FROM pg_namespace
WHERE pg_has_role(nspowner, 'USAGE')
  AND (nspname ~ '^t_[0-9a-f]{16}$'
       OR (nspname ~ '^t_[0-9a-f]{1,15}_[0-9a-f]{16}$'
           AND ('x' || lpad(substring(nspname FROM '^t_([0-9a-f]+)_'), 16, '0'))::bit(64)::bigint
               < extract(epoch FROM now()) - 86400))
\gexec
SQL
}

if [ -n "${TEKIGO_TEST_POSTGRES:-}" ]; then
    drop_stale_test_schemas "$TEKIGO_TEST_POSTGRES"
    exit 0
fi

url_file="$cache_dir/postgres-url"
role=tekigo
database=tekigo_test

# Fast path: the server answers with the stored URL, so everything below is already done.
if [ -s "$url_file" ] && command -v psql >/dev/null 2>&1 &&
    psql "$(cat "$url_file")" -qAtc 'select 1' >/dev/null 2>&1; then
    drop_stale_test_schemas "$(cat "$url_file")"
    exit 0
fi

need_root "install and start PostgreSQL (or set TEKIGO_TEST_POSTGRES to a server's URL)"
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql
fi

# The newest installed major version; its package's postinst normally created "main".
version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
    pg_createcluster "$version" main >/dev/null
fi
# The socket directory lives on a tmpfs on a booted machine and may be gone after a restart.
install -d -o postgres -g postgres -m 2775 /var/run/postgresql
port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online" { found = 1 } END { exit !found }'; then
    # Another server on the cluster's port (the machine's own PostgreSQL, a container)
    # would keep ours from starting: ours moves to the next port nothing answers on.
    port_taken() {
        pg_isready -q -h 127.0.0.1 -p "$1"
        [ $? -lt 2 ]
    }
    if port_taken "$port"; then
        while port_taken "$port"; do port=$((port + 1)); done
        pg_conftool "$version" main set port "$port"
    fi
    # After an unclean stop the server first syncs its whole data directory, which on a
    # slow disk outlasts pg_ctl's default minute: wait up to ten.
    pg_ctlcluster "$version" main start -- -t 600
fi
for _ in $(seq 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
done

# Keep the password of an earlier run; a new random one otherwise (hex: safe in a URL).
password=""
if [ -s "$url_file" ]; then
    password="$(sed -n 's|^postgres://[^:]*:\([0-9a-f]\{16,\}\)@.*$|\1|p' "$url_file")"
fi
if [ -z "$password" ]; then
    password="$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
fi

# The password travels on stdin, not on a command line that `ps` shows.
runuser -u postgres -- psql -q -X -v ON_ERROR_STOP=1 -p "$port" -d postgres >/dev/null <<SQL
\\set pw '$password'
SELECT 'CREATE ROLE $role' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') \\gexec
ALTER ROLE $role WITH LOGIN CREATEDB PASSWORD :'pw';
SELECT 'CREATE DATABASE $database OWNER $role'
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$database') \\gexec
ALTER DATABASE $database OWNER TO $role;
SQL

url="postgres://$role:$password@127.0.0.1:$port/$database"
mkdir -p "$cache_dir"
tmp="$(mktemp "$url_file.XXXXXX")"
chmod 600 "$tmp"
printf '%s\n' "$url" >"$tmp"
mv -f "$tmp" "$url_file"

if ! psql "$url" -qAtc 'select 1' >/dev/null; then
    echo "60-postgres: cannot connect to $database as $role on 127.0.0.1:$port" >&2
    exit 1
fi
drop_stale_test_schemas "$url"
