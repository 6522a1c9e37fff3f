//! `tekigo report` as the certification deliverable, through the command line: the
//! document-control flags, `--by-phase`, the 62443-4-1 assessment a 4-2 report rests on,
//! the verification method of `assess set`, and tekigo.yaml's report fields refused with
//! file, line and field.

mod common;

use common::{copy_tree, ok, repo, stderr, tekigo};
use std::path::Path;

/// A copy of examples/gateway in a temporary directory.
fn gateway() -> (tempfile::TempDir, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("gw");
    copy_tree(&repo().join("examples/gateway"), &dir);
    (root, dir)
}

fn html(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["report", "gw-100-4-2", "--format", "html", "-o", "r.html"];
    args.extend_from_slice(extra);
    ok(dir, &args);
    std::fs::read_to_string(dir.join("r.html")).unwrap()
}

#[test]
fn report_flags_method_and_the_process_assessment() {
    let (_root, dir) = gateway();
    let dir = dir.as_path();

    // The verification method is kept in the answer and printed in the report.
    ok(
        dir,
        &["assess", "set", "gw-100-4-2", "CR 1.2", "--method", "test"],
    );
    let file = std::fs::read_to_string(dir.join("assessments/gw-100-4-2.yaml")).unwrap();
    assert!(file.contains("method: test"), "{file}");
    let bad = tekigo(
        dir,
        &["assess", "set", "gw-100-4-2", "CR 1.2", "--method", "guess"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("document-review"), "{}", stderr(&bad));

    // The command line's document id wins over tekigo.yaml's; --by-phase groups by phase;
    // with no 4-1 assessment the report says so.
    let page = html(
        dir,
        &[
            "--document-id",
            "CLI-DOC-1",
            "--revision",
            "9",
            "--by-phase",
        ],
    );
    assert!(page.contains("CLI-DOC-1") && !page.contains("EXD-GW100-SEC-0042"));
    assert!(page.contains("id=\"phase-design\""));
    assert!(page.contains("No IEC 62443-4-1 assessment"));
    assert!(page.contains("<td>test</td>"), "the recorded method");

    // A 4-1 assessment in the project: the report rests on it and pins its file.
    ok(
        dir,
        &[
            "assess",
            "new",
            "--standard",
            "62443-4-1",
            "--component",
            "Example Devices",
            "--ml-t",
            "2",
            "--id",
            "dev-process",
        ],
    );
    let page = html(dir, &[]);
    assert!(!page.contains("No IEC 62443-4-1 assessment"));
    assert!(
        page.contains("assessments&#x2f;dev-process.yaml"),
        "the 4-1 file as a reference"
    );
    let bytes = std::fs::read(dir.join("assessments/dev-process.yaml")).unwrap();
    let sha = tekigo_assess::evidence::sha256_bytes(&bytes);
    assert!(page.contains(&sha), "the 4-1 file's hash");

    // tekigo.yaml naming a 4-2 assessment as the process one: refused, naming the field.
    let config = dir.join("tekigo.yaml");
    let good = std::fs::read_to_string(&config).unwrap();
    let with = |extra: &str| {
        std::fs::write(
            &config,
            good.replacen("report:\n", &format!("report:\n{extra}"), 1),
        )
        .unwrap();
        tekigo(
            dir,
            &["report", "gw-100-4-2", "--format", "html", "-o", "x.html"],
        )
    };
    let out = with("  process_assessment: gw-100-4-2\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("report.process_assessment")
            && stderr(&out).contains("not 62443-4-1"),
        "{}",
        stderr(&out)
    );
    let out = with("  process_assessment: dev-process\n");
    assert!(out.status.success(), "{}", stderr(&out));

    // A bad sign-off date: exit 2 with the file, the line and the field.
    std::fs::write(
        &config,
        good.replacen("date: 2026-11-23", "date: 23.11.2026", 1),
    )
    .unwrap();
    let out = tekigo(
        dir,
        &["report", "gw-100-4-2", "--format", "html", "-o", "x.html"],
    );
    assert_eq!(out.status.code(), Some(2));
    let line = good
        .lines()
        .position(|l| l.contains("date: 2026-11-23"))
        .unwrap()
        + 1;
    let err = stderr(&out);
    assert!(
        err.contains(&format!("tekigo.yaml:{line}: report.approvals[0].date")),
        "{err}"
    );
}
