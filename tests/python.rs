//! The Python the tests run their validators with (compliance-trestle, cyclonedx-python-lib,
//! jsonschema), shared by every test crate that calls one (each includes this file by
//! path). scripts/setup/10-python.sh installs them in a virtual environment because Debian
//! 12 refuses `pip install` into the system Python; scripts/lib/setup.sh finds the same
//! interpreter for the shell scripts.

use std::path::PathBuf;
use std::process::Command;

/// `$TEKIGO_PYTHON` when set; else the virtual environment the set-up made,
/// `${TEKIGO_CACHE_DIR:-$HOME/.cache/tekigo}/venv/bin/python3`, when it exists; else
/// `python3` on PATH (a developer's own environment with the validators installed).
pub fn python() -> Command {
    Command::new(interpreter())
}

fn interpreter() -> PathBuf {
    if let Some(python) = std::env::var_os("TEKIGO_PYTHON") {
        return python.into();
    }
    let cache = std::env::var_os("TEKIGO_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/tekigo")));
    cache
        .map(|cache| cache.join("venv/bin/python3"))
        .filter(|venv| venv.is_file())
        .unwrap_or_else(|| "python3".into())
}
