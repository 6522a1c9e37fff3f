#!/usr/bin/env bash
# The Python validators the tests call (scripts/setup/python-requirements.txt) in a virtual
# environment of their own, ${TEKIGO_CACHE_DIR:-~/.cache/tekigo}/venv: Debian 12 refuses
# `pip install` into the system Python (PEP 668). The tests find it there (tests/python.rs,
# scripts/lib/setup.sh); TEKIGO_PYTHON names another interpreter instead, and then nothing
# is done here. Reinstalled when the requirements file changes.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/setup.sh

[ -z "${TEKIGO_PYTHON:-}" ] || exit 0
venv="$cache_dir/venv"
requirements=scripts/setup/python-requirements.txt
stamp="$venv/.tekigo-requirements"
want="$(sha256sum <"$requirements")"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && "$venv/bin/python3" -c '' 2>/dev/null; then
    exit 0
fi

# A venv whose interpreter is gone (python3 upgraded or removed) is made again. Debian
# keeps venv's pip bootstrap (ensurepip) in python3-venv, installed when venv fails.
if ! "$venv/bin/python3" -c '' 2>/dev/null; then
    rm -rf "$venv"
    if ! { command -v python3 >/dev/null && python3 -m venv "$venv" >/dev/null 2>&1; }; then
        rm -rf "$venv"
        apt_install python3 python3-venv
        python3 -m venv "$venv"
    fi
fi
"$venv/bin/python3" -m pip install --quiet --disable-pip-version-check -r "$requirements"
printf '%s\n' "$want" >"$stamp"
