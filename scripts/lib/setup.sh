# Sourced by scripts/setup/*.sh and the scripts the tests run: where the set-up keeps its
# things, and the two ways it can fail on a fresh machine said plainly (root missing, a
# tool we must not fetch ourselves missing) instead of as an apt or pip error later on.

# Everything the set-up builds or downloads for the tests lives here.
cache_dir="${TEKIGO_CACHE_DIR:-${HOME:?}/.cache/tekigo}"

# The Python the tests run their validators with: $TEKIGO_PYTHON, else the virtual
# environment scripts/setup/10-python.sh makes, else python3 on PATH. The Rust tests find it
# the same way (tests/python.rs).
tekigo_python() {
    if [ -n "${TEKIGO_PYTHON:-}" ]; then
        echo "$TEKIGO_PYTHON"
    elif [ -x "$cache_dir/venv/bin/python3" ]; then
        echo "$cache_dir/venv/bin/python3"
    else
        echo python3
    fi
}

# Stops with a message naming what needs root, unless this runs as root.
need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "${0##*/}: needs root to $*; run scripts/test.sh as root (or do it by hand and run again)" >&2
        exit 1
    fi
}

# Installs Debian packages (root needed). DPkg::Lock::Timeout does not cover the lists lock
# of `apt-get update`, so a parallel update (another set-up step, another job on the
# machine) is waited for by retrying.
apt_install() {
    need_root "install Debian packages: $*"
    local apt_get=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
    local updated=false
    for _ in $(seq 60); do
        if "${apt_get[@]}" update -qq >/dev/null 2>&1; then
            updated=true
            break
        fi
        sleep 5
    done
    if [ "$updated" = false ]; then
        "${apt_get[@]}" update -qq || true
        echo "${0##*/}: apt-get update failed for 5 minutes; cannot install $*" >&2
        exit 1
    fi
    "${apt_get[@]}" install -y -qq --no-install-recommends "$@" >/dev/null
}
