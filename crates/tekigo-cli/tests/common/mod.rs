//! What the tests of the scanner and of the SBOM chain share: the root filesystem images
//! scripts/setup/30-images.sh builds, found where it puts them.

#![allow(dead_code)] // each test binary uses what it needs

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn cache() -> PathBuf {
    std::env::var_os("TEKIGO_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/tekigo")
        })
}

pub fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The image `name`, found where scripts/setup/30-images.sh puts it; missing fails under CI.
pub fn image(name: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("TEKIGO_IMAGES_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            let out = Command::new(repo().join("scripts/images/key.sh"))
                .output()
                .expect("key.sh");
            let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
            cache().join("images").join(key)
        }
    };
    let path = dir.join(name);
    if path.join(".tekigo-image-complete").exists() {
        return Some(path);
    }
    assert!(
        !ci(),
        "image {name} missing at {}: run scripts/setup/30-images.sh",
        path.display()
    );
    eprintln!("skipping: image {name} not built");
    None
}

/// `tekigo scan --root ROOT --format json` with `extra` arguments (where the results or the
/// SBOM go), which must end with findings or without (exit 1 or 0), not an error.
pub fn scan_root(root: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["scan", "--root", root.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = Command::new(env!("CARGO_BIN_EXE_tekigo"))
        .args(&args)
        .env_remove("TEKIGO_CATALOG_DIR")
        .env_remove("TEKIGO_LANG")
        .output()
        .expect("run tekigo");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
