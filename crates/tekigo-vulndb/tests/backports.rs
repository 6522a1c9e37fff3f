//! Distribution backports: the Debian security tracker's fixed version per release decides,
//! so a package carrying the fix under an older upstream version is not reported.

use std::path::{Path, PathBuf};
use tekigo_vulndb::{import, scan, Db, ImportOptions, Query};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/backports")
}

fn ids(db: &Db, purl: &str) -> Vec<String> {
    let r = scan(db, &[Query::from_purl(purl).unwrap()]).unwrap();
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    r.findings.into_iter().map(|f| f.vulnerability).collect()
}

#[test]
fn debian_tracker_fixed_versions_per_release() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.tkvdb");
    let report = import(&db, &[data()], &ImportOptions::default()).unwrap();
    assert_eq!(report.by_format.get("debian-tracker"), Some(&1));
    assert_eq!(report.needs_review, 0);
    let db = Db::open(&db).unwrap();
    let libc6 = |version: &str, distro: &str| {
        format!("pkg:deb/debian/libc6@{version}?arch=amd64&distro={distro}&upstream=glibc")
    };
    let table: &[(&str, &str, bool)] = &[
        // bookworm: the backported fix is 2.36-9+deb12u3.
        ("2.36-9+deb12u2", "debian-12", true),
        ("2.36-9+deb12u3", "debian-12", false),
        ("2.36-9+deb12u13", "debian-12", false),
        // bullseye: 2.31-13+deb11u7.
        ("2.31-13+deb11u6", "debian-11", true),
        ("2.31-13+deb11u7", "debian-11", false),
        // buster: never affected (fixed_version 0).
        ("2.28-10+deb10u1", "debian-10", false),
    ];
    for (version, distro, affected) in table {
        let got = ids(&db, &libc6(version, distro));
        let want: &[&str] = if *affected {
            &["DEBIAN-CVE-2023-4911"]
        } else {
            &[]
        };
        assert_eq!(got, want, "{version} {distro}");
    }
}

#[test]
fn unknown_statuses_are_errors_naming_the_field() {
    let text = std::fs::read_to_string(data().join("debian-tracker.json")).unwrap();
    let bad = text.replacen("\"status\": \"resolved\"", "\"status\": \"fixed\"", 1);
    let e = tekigo_vulndb::parse::debian_tracker(bad.as_bytes()).unwrap_err();
    assert!(
        e.contains("glibc.CVE-2023-4911.releases.bookworm.status"),
        "{e}"
    );
}
