//! What the command's tests share: `tekigo` run in a directory the way a person with
//! nothing configured runs it, the project most tests start from, and the root filesystem
//! images scripts/setup/30-images.sh builds, found where it puts them.
#![allow(dead_code)] // each test file uses its own part

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

/// `tekigo` in `dir` with the data directory inside it and none of the TEKIGO_* variables of
/// the machine running the tests (language, catalog directory, the person), so that what a
/// test sees does not depend on who runs it.
pub fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tekigo"));
    cmd.current_dir(dir)
        .env("TEKIGO_DATA_DIR", dir.join(".data"))
        .env_remove("TEKIGO_CATALOG_DIR")
        .env_remove("TEKIGO_LANG")
        .env_remove("TEKIGO_ASSESSOR")
        .env_remove("TEKIGO_USER");
    cmd
}

pub fn tekigo(dir: &Path, args: &[&str]) -> Output {
    command(dir).args(args).output().expect("run tekigo")
}

/// Runs `tekigo` and fails the test with its error output unless it exits 0.
pub fn ok(dir: &Path, args: &[&str]) -> Output {
    let out = tekigo(dir, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A project in a new temporary directory, in `lang`, whose tekigo.yaml lists the
/// embedded component gw-100, with assessment A of it: 62443-4-2 at SL-T 2.
pub fn project(lang: &str, product: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path();
    ok(
        dir,
        &[
            "--lang",
            lang,
            "init",
            ".",
            "--product",
            product,
            "--component",
            "gw-100:embedded",
        ],
    );
    ok(
        dir,
        &[
            "assess",
            "new",
            "--standard",
            "62443-4-2",
            "--component",
            "gw-100",
            "--sl-t",
            "2",
            "--id",
            "A",
        ],
    );
    root
}

/// Copies the directory `from` to `to` (which must not exist), as `cp -r` does.
pub fn copy_tree(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-r")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp");
    assert!(
        status.success(),
        "cp -r {} {}",
        from.display(),
        to.display()
    );
}
