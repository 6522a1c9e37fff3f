//! What the command's tests share: `tekigo` run in a directory the way a person with
//! nothing configured runs it, and the project most tests start from.
#![allow(dead_code)] // each test file uses its own part

use std::path::Path;
use std::process::{Command, Output};

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

/// Under CI (`CI=true`, where scripts/setup/*.sh installed every tool) a test whose tool
/// or input is missing fails instead of skipping.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
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
