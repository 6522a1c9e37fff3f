//! Outside tools the report tests read documents with, shared by every crate that tests a
//! tekigo report (tekigo-risk's and tekigo-cli's tests include this file by path): the
//! tool is found on PATH, and when it is missing the test is skipped outside CI and fails
//! in CI (`CI=true`, where scripts/setup/50-report.sh installs them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The path of a tool the test needs; `None` (skip) outside CI when it is missing.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let msg = format!("{name} is not installed: run scripts/setup/50-report.sh");
        assert!(std::env::var("CI").is_err(), "{msg}");
        eprintln!("skipped: {msg}");
    }
    found
}

/// The text of a PDF file as poppler's pdftotext gives it: in reading order, or with
/// `layout` each table row on one line. `None` when pdftotext is missing outside CI.
pub fn pdftotext(file: &Path, layout: bool) -> Option<String> {
    let pdftotext = tool("pdftotext")?;
    let out = Command::new(pdftotext)
        .args(["-enc", "UTF-8"])
        .args(layout.then_some("-layout"))
        .arg(file)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

/// The text without whitespace or zero-width spaces: typst breaks lines inside table
/// cells and after the break points a template adds.
pub fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200B}')
        .collect()
}
