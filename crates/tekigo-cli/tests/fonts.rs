//! PDFs on a machine without fonts: `tekigo report` and `tekigo risk report` run in a mount
//! namespace where tmpfs hides every system font directory (and HOME is empty), so only
//! the font the binary carries is there; pdftotext then finds the Japanese text.
//!
//! Needs `unshare` (util-linux) with permission to create a mount namespace (root, or
//! unprivileged user namespaces) and pdftotext (poppler-utils, scripts/setup/50-report.sh).
//! Skips locally when either is missing, fails under CI=true.

mod common;

use common::{ci, copy_tree, ok, project};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Output};

/// The system font directories fontconfig and typst search.
const FONT_DIRS: [&str; 2] = ["/usr/share/fonts", "/usr/local/share/fonts"];

/// Runs tekigo with the system font directories hidden; `None` when no namespace can be
/// made here.
fn without_fonts(dir: &Path, home: &Path, args: &[&str]) -> Option<Output> {
    let mut script = String::from("set -e\n");
    for d in FONT_DIRS {
        script.push_str(&format!(
            "if [ -d {d} ]; then mount -t tmpfs tmpfs {d}; [ -z \"$(ls -A {d})\" ]; fi\n"
        ));
    }
    script.push_str("exec \"$0\" \"$@\"\n");
    // Root makes the mount namespace itself; others need a user namespace first, which the
    // kernel refuses inside a chroot (where CI may run as root).
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let out = Command::new("unshare")
        .args((!root).then_some("--map-root-user"))
        .args(["--mount", "sh", "-c", &script])
        .arg(env!("CARGO_BIN_EXE_tekigo"))
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("FONTCONFIG_FILE")
        .env("TEKIGO_DATA_DIR", home.join("data"))
        .env_remove("TEKIGO_LANG")
        .output();
    match out {
        Ok(out) if String::from_utf8_lossy(&out.stderr).contains("unshare:") => {
            assert!(
                !ci(),
                "cannot make a mount namespace: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            eprintln!("skipped: {}", String::from_utf8_lossy(&out.stderr));
            None
        }
        Ok(out) => Some(out),
        Err(e) => {
            assert!(!ci(), "unshare: {e}");
            eprintln!("skipped: unshare: {e}");
            None
        }
    }
}

fn pdf_text(pdf: &Path) -> Option<String> {
    match Command::new("pdftotext").arg(pdf).arg("-").output() {
        Ok(out) => {
            assert!(out.status.success(), "pdftotext {}", pdf.display());
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(e) => {
            assert!(
                !ci(),
                "pdftotext: {e} (scripts/setup/50-report.sh installs it)"
            );
            eprintln!("skipped: pdftotext: {e}");
            None
        }
    }
}

fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} without system fonts: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_assessment_report_renders_japanese_with_no_font_installed() {
    let root = project("ja", "ゲートウェイ");
    let home = tempfile::tempdir().unwrap();
    let dir = root.path();
    ok(
        dir,
        &[
            "assess",
            "set",
            "A",
            "CR 1.1",
            "--status",
            "satisfied",
            "--reason",
            "鍵認証のみで運用",
        ],
    );
    // No --lang: the project's language (ja) decides.
    let Some(out) = without_fonts(
        dir,
        home.path(),
        &["report", "A", "--format", "pdf", "-o", "A.pdf"],
    ) else {
        return;
    };
    assert_ok(&out, "report --format pdf");
    let Some(text) = pdf_text(&dir.join("A.pdf")) else {
        return;
    };
    for expected in ["評価報告書", "鍵認証のみで運用", "ゲートウェイ", "充足"]
    {
        assert!(
            text.contains(expected),
            "{expected} not in the PDF:\n{text}"
        );
    }
}

#[test]
fn the_zone_report_renders_japanese_with_no_font_installed() {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/water-treatment");
    copy_tree(&example, &root.path().join("wt"));
    let dir = root.path().join("wt");
    let Some(out) = without_fonts(
        &dir,
        home.path(),
        &[
            "--lang",
            "ja",
            "risk",
            "report",
            "--format",
            "pdf",
            "-o",
            "zones.pdf",
        ],
    ) else {
        return;
    };
    assert_ok(&out, "risk report --format pdf");
    let Some(text) = pdf_text(&dir.join("zones.pdf")) else {
        return;
    };
    assert!(text.contains("ゾーンとコンジット"), "{text}");
}
