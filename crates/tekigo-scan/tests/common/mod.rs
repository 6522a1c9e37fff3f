//! Shared by the integration tests: finding the cached root filesystem images, scanning a
//! tree, looking up results.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tekigo_rootfs::Root;
use tekigo_scan::{CheckResult, Report, ScanOptions, Scanner, Verdict};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The cache key scripts/images/key.sh prints: SHA-256 over `sha256sum` lines of every
/// file in scripts/images, sorted by path.
pub fn image_key() -> String {
    let dir = workspace().join("scripts/images");
    let mut files = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("scripts/images") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = format!("./{}", p.strip_prefix(&dir).unwrap().display());
                files.push((rel, p));
            }
        }
    }
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut listing = String::new();
    for (rel, p) in files {
        let digest = Sha256::digest(std::fs::read(p).expect("read builder file"));
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        listing.push_str(&format!("{hex}  {rel}\n"));
    }
    let digest = Sha256::digest(listing.as_bytes());
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..16]
        .to_string()
}

/// The built image `name` (minbase, hardened, busybox). Missing images fail the test when
/// CI=true (CI runs scripts/setup/30-images.sh first) and skip it elsewhere.
pub fn image(name: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("TEKIGO_IMAGES_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            let cache = std::env::var_os("TEKIGO_CACHE_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/tekigo")
                });
            cache.join("images").join(image_key())
        }
    };
    let path = dir.join(name);
    if path.join(".tekigo-image-complete").exists() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "image {name} missing at {}: run scripts/setup/30-images.sh as root",
            path.display()
        );
    }
    eprintln!(
        "skipping: image {name} not built at {} (scripts/setup/30-images.sh)",
        path.display()
    );
    None
}

pub fn scan_dir(path: &Path) -> Report {
    let scanner = Scanner::builtin().expect("built-in checks");
    let root = Root::open(path).expect("open root");
    scanner.scan(&root, &ScanOptions::image(path.display().to_string()))
}

pub fn result<'a>(report: &'a Report, check: &str) -> &'a CheckResult {
    report
        .results
        .iter()
        .find(|r| r.check == check)
        .unwrap_or_else(|| panic!("no result for {check}"))
}

pub fn verdict(report: &Report, check: &str) -> Verdict {
    result(report, check).verdict
}

/// Whether some evidence of `check` names `path` with a line containing `text`.
pub fn has_line(report: &Report, check: &str, path: &str, text: &str) -> bool {
    result(report, check)
        .evidence
        .iter()
        .any(|e| e.path.as_deref() == Some(path) && e.lines.iter().any(|l| l.text.contains(text)))
}

/// Writes `files` (path inside the root, content) under a new temporary root.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in files {
        let p = dir.path().join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
    }
    dir
}
