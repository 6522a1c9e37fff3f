//! The Linux kernel's own CVE records (CVE JSON 5, `tests/kernel-cves/`, copied unchanged
//! from the kernel's vulns repository: see `kernel-cves/README.md`) imported and matched
//! against kernel versions of every flavour. Each expected row was read off the record's
//! per-branch ranges by hand.

use std::path::{Path, PathBuf};
use tekigo_vulndb::{import, parse, scan, Db, ImportOptions, Query};

fn records() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kernel-cves")
}

fn imported() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.tkvdb");
    let report = import(&db, &[records()], &ImportOptions::default()).unwrap();
    assert_eq!(report.added, 6, "{report:?}");
    assert_eq!(report.by_format.get("cve"), Some(&6));
    assert_eq!(report.needs_review, 0, "{report:?}");
    (dir, Db::open(&db).unwrap())
}

/// The component `tekigo scan --sbom` writes for an image's kernel.
fn kernel(version: &str) -> Query {
    Query {
        label: format!("linux@{version}"),
        name: "linux".into(),
        version: Some(version.into()),
        ..Query::default()
    }
}

fn ids(db: &Db, q: Query) -> Vec<String> {
    let r = scan(db, &[q]).unwrap();
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    r.findings.into_iter().map(|f| f.vulnerability).collect()
}

#[test]
fn records_keep_ranges_and_program_files() {
    let bytes = std::fs::read(records().join("CVE-2024-26581.json")).unwrap();
    let adv = parse::cve5(&bytes).unwrap();
    assert_eq!(adv.id, "CVE-2024-26581");
    let tekigo_vulndb::model::Body::Cve5(body) = &adv.body else {
        panic!("not a CVE 5 body")
    };
    // The CNA's own copy states a CVSS 3.1 vector with its score.
    let sev = adv.best_severity().unwrap();
    assert_eq!((sev.kind.as_str(), sev.score), ("CVSS_V3", Some(7.8)));
    assert_eq!(sev.label.as_deref(), Some("HIGH"));
    assert_eq!(body.affected.len(), 2);
    let per_branch = &body.affected[1];
    assert_eq!(per_branch.program_files, ["net/netfilter/nft_set_rbtree.c"]);
    assert_eq!(
        per_branch.default_status,
        tekigo_vulndb::model::Cve5Status::Affected
    );
    let v = &per_branch.versions[3];
    assert_eq!(
        (
            v.version.as_str(),
            v.less_than_or_equal.as_deref(),
            v.version_type.as_deref()
        ),
        ("5.10.210", Some("5.10.*"), Some("semver"))
    );
    // The git block is kept as written.
    assert!(body.affected[0]
        .versions
        .iter()
        .any(|v| v.version_type.as_deref() == Some("git")));
}

/// The acceptance table for CIP kernels: a branch fix below the kernel's version gives no
/// finding, one above gives one, a CVE of another branch only gives none.
#[test]
fn cip_kernels_per_branch() {
    let (_dir, db) = imported();
    let table: &[(&str, &[&str])] = &[
        // 5.10.218 is above every 5.10 fix (26581 5.10.210, 26598 5.10.209, 26602 5.10.210,
        // 26640 5.10.210, 26704 5.10.210); ntfs3 (40313) came in 5.15.
        ("5.10.218-cip50", &[]),
        ("5.10.218-cip50-rt23", &[]),
        // 5.10.200: below those fixes. 26581's bug reached 5.10 with 5.10.190 (the first
        // block's 5.10.190 <= v < 5.10.210), so it applies too.
        (
            "5.10.200-cip40",
            &[
                "CVE-2024-26581",
                "CVE-2024-26598",
                "CVE-2024-26602",
                "CVE-2024-26640",
                "CVE-2024-26704",
            ],
        ),
        // 5.10.180 is before 26581's backport to 5.10 (5.10.190): that CVE is another
        // branch's only.
        (
            "5.10.180-cip35",
            &[
                "CVE-2024-26598",
                "CVE-2024-26602",
                "CVE-2024-26640",
                "CVE-2024-26704",
            ],
        ),
        // 4.19: 26581 never reached it; 26640 came in 4.18 but 4.19 got no fix (affected);
        // 26602 and 26704 were fixed at 4.19.307.
        ("4.19.310-cip105", &["CVE-2024-26598", "CVE-2024-26640"]),
        // 6.1: fixes at 6.1.75 .. 6.1.79; ntfs3 fixed at 6.1.159.
        (
            "6.1.78-cip15",
            &["CVE-2024-26602", "CVE-2024-26704", "CVE-2025-40313"],
        ),
        ("6.1.160-cip40", &[]),
        // 6.12 was released after every 2024 fix; ntfs3 fixed on 6.12 at 6.12.58.
        ("6.12.57", &["CVE-2025-40313"]),
        ("6.18", &[]),
    ];
    let mut failures = Vec::new();
    for (version, want) in table {
        let got = ids(&db, kernel(version));
        if got != *want {
            failures.push(format!("{version}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn findings_explain_the_branch_and_carry_the_files() {
    let (_dir, db) = imported();
    let r = scan(&db, &[kernel("5.10.200-cip40")]).unwrap();
    let f = r
        .findings
        .iter()
        .find(|f| f.vulnerability == "CVE-2024-26602")
        .unwrap();
    assert_eq!(f.fixed_version.as_deref(), Some("5.10.210"));
    assert_eq!(f.program_files, ["kernel/sched/membarrier.c"]);
    assert!(!f.needs_review);
    assert!(f.explanation.exact);
    assert_eq!(f.explanation.range, "defaultStatus affected");
    // The bug of 26581 came to 5.10 by a backport: the first block's range decides.
    let f = r
        .findings
        .iter()
        .find(|f| f.vulnerability == "CVE-2024-26581")
        .unwrap();
    assert_eq!(f.explanation.range, "5.10.190 <= v < 5.10.210");
    assert_eq!(
        f.explanation.matched_by,
        "CVE JSON 5 Linux kernel (affected[0])"
    );
}

#[test]
fn distribution_kernels_and_identification() {
    let (_dir, db) = imported();
    // Debian's ABI name gives no sublevel: 6.1 fixes cannot be told, so review; the 6.5+
    // bug of 26581 did reach 6.1 (6.1.43 <= v < 6.1.78), also undecidable.
    let r = scan(&db, &[kernel("6.1.0-18-amd64")]).unwrap();
    assert!(!r.findings.is_empty());
    assert!(
        r.findings
            .iter()
            .all(|f| f.needs_review && !f.explanation.exact),
        "{:?}",
        r.findings
    );
    // Named by CPE, whatever the component is called.
    let q = Query {
        label: "kernel-image".into(),
        name: "kernel-image".into(),
        version: None,
        cpes: vec!["cpe:2.3:o:linux:linux_kernel:6.1.78:*:*:*:*:*:*:*".into()],
        ..Query::default()
    };
    assert_eq!(
        ids(&db, q),
        ["CVE-2024-26602", "CVE-2024-26704", "CVE-2025-40313"]
    );
    // A distribution's kernel package is its distribution's business.
    let q = Query::from_purl("pkg:deb/debian/linux@6.1.76-1?distro=debian-12").unwrap();
    assert!(ids(&db, q).is_empty());
    // A kernel version that is not one is a warning naming it, not a finding.
    let r = scan(&db, &[kernel("latest")]).unwrap();
    assert!(r.findings.is_empty());
    assert!(r.warnings[0].contains("\"latest\""), "{:?}", r.warnings);
}

#[test]
fn bad_records_name_the_field() {
    let bytes = std::fs::read(records().join("CVE-2024-26640.json")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let broken = text.replacen("\"status\": \"unaffected\"", "\"status\": \"fixed\"", 1);
    let e = parse::cve5(broken.as_bytes()).unwrap_err();
    assert!(e.contains("affected[1].versions[1].status"), "{e}");
    let e = tekigo_vulndb::parse_document(b"{\"dataType\": \"CVE_RECORD\"}").unwrap_err();
    assert!(e.starts_with("CVE JSON 5:"), "{e}");
}

/// The import's spool lives next to the database only while it runs, whether it succeeds
/// or fails, and what it spools is what the database then holds.
#[test]
fn the_spool_is_removed_and_its_records_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.tkvdb");
    import(&db, &[records()], &ImportOptions::default()).unwrap();
    let names = |dir: &Path| -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(dir.path()), ["db.lock", "db.tkvdb"]);
    let opened = Db::open(&db).unwrap();
    let first = opened.record(0).unwrap();
    let original =
        parse::cve5(&std::fs::read(records().join(format!("{}.json", first.id))).unwrap()).unwrap();
    assert_eq!(first, original);
    // A failed import (a damaged record) leaves no spool and the database as it was.
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(
        bad.join("CVE-2024-0001.json"),
        b"{\"dataType\": \"CVE_RECORD\"",
    )
    .unwrap();
    assert!(import(&db, std::slice::from_ref(&bad), &ImportOptions::default()).is_err());
    assert_eq!(names(dir.path()), ["bad", "db.lock", "db.tkvdb"]);
    assert_eq!(Db::open(&db).unwrap().len(), 6);
}
