//! Distribution backports: the fixed version per release decides (the Debian security
//! tracker, Ubuntu's and AlmaLinux's OSV records, Red Hat's CSAF VEX), so a package carrying
//! the fix under an older upstream version is not reported. Each table row was worked out
//! by hand from the fixture and the distribution's version rules (dpkg for Debian and
//! Ubuntu, rpm with epoch for Red Hat and AlmaLinux).

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

/// The backport fixtures in one database, and the ids each PURL gets.
fn backport_db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.tkvdb");
    let report = import(&path, &[data()], &ImportOptions::default()).unwrap();
    assert_eq!(report.needs_review, 0);
    (dir, Db::open(&path).unwrap())
}

fn check(db: &Db, table: &[(&str, &[&str])]) {
    for (purl, want) in table {
        assert_eq!(ids(db, purl), *want, "{purl}");
    }
}

#[test]
fn ubuntu_osv_fixed_versions_per_release_by_source_package() {
    let (_dir, db) = backport_db();
    let libc6 = |version: &str, distro: &str| {
        format!("pkg:deb/ubuntu/libc6@{version}?arch=amd64&distro={distro}&upstream=glibc")
    };
    let hit: &[&str] = &["UBUNTU-CVE-2023-4911"];
    check(
        &db,
        &[
            // jammy: fixed in 2.35-0ubuntu3.4 (dpkg: 3.3 < 3.4 < 3.10).
            (&libc6("2.35-0ubuntu3.3", "ubuntu-22.04"), hit),
            (&libc6("2.35-0ubuntu3", "ubuntu-22.04"), hit),
            (&libc6("2.35-0ubuntu3.4", "ubuntu-22.04"), &[]),
            (&libc6("2.35-0ubuntu3.10", "ubuntu-22.04"), &[]),
            // lunar: 2.37-0ubuntu2.1; the codename works as the release too.
            (&libc6("2.37-0ubuntu2", "ubuntu-23.04"), hit),
            (&libc6("2.37-0ubuntu2.1", "ubuntu-23.04"), &[]),
            (&libc6("2.35-0ubuntu3.3", "jammy"), hit),
            // focal (glibc 2.31 predates the bug): not in the record, no finding even
            // though 2.31 is below both fixes.
            (&libc6("2.31-0ubuntu9.9", "ubuntu-20.04"), &[]),
            // A Debian package of the same version is not judged by Ubuntu's data (and is
            // above bullseye's fix, 2.31-13+deb11u7).
            (
                "pkg:deb/debian/libc6@2.35-0ubuntu3.3?distro=debian-11&upstream=glibc",
                &[],
            ),
        ],
    );
    // 2.35-0ubuntu3.3 is also on the record's list of affected versions: the finding still
    // names the release's fix.
    let r = scan(
        &db,
        &[Query::from_purl(&libc6("2.35-0ubuntu3.3", "ubuntu-22.04")).unwrap()],
    );
    let fixed = r.unwrap().findings.pop().and_then(|f| f.fixed_version);
    assert_eq!(fixed.as_deref(), Some("2.35-0ubuntu3.4"));
}

#[test]
fn almalinux_osv_fixed_versions_with_epoch() {
    let (_dir, db) = backport_db();
    let rpm = |name: &str, version: &str, distro: &str| {
        format!(
            "pkg:rpm/almalinux/{name}@{version}?arch=x86_64&epoch=1&distro={distro}\
             &upstream=openssl-{version}.src.rpm"
        )
    };
    let hit: &[&str] = &["ALSA-2023:0946"];
    check(
        &db,
        &[
            (&rpm("openssl-libs", "3.0.1-43.el9_0", "almalinux-9.0"), hit),
            (&rpm("openssl-libs", "3.0.1-47.el9_1", "almalinux-9.1"), &[]),
            // rpmvercmp: release 47.el9 < 47.el9_1 (the longer one wins), so affected.
            (&rpm("openssl-libs", "3.0.1-47.el9", "almalinux-9.1"), hit),
            (&rpm("openssl-libs", "3.0.7-16.el9_2", "almalinux-9.2"), &[]),
            // A binary package the record does not list, found by its source RPM.
            (&rpm("openssl-fips", "3.0.1-43.el9_0", "almalinux-9.0"), hit),
            // AlmaLinux 8 is another release.
            (&rpm("openssl-libs", "1.1.1k-7.el8_6", "almalinux-8.6"), &[]),
            // Without the epoch the installed version is 0:..., below 1:3.0.1-47.el9_1,
            // so a package of a higher upstream version is still affected: rpm's rule.
            (
                "pkg:rpm/almalinux/openssl-libs@3.0.7-16.el9_2?distro=almalinux-9.2",
                hit,
            ),
            // With a higher epoch it is not.
            (
                "pkg:rpm/almalinux/openssl-libs@3.0.1-43.el9_0?epoch=2&distro=almalinux-9.0",
                &[],
            ),
        ],
    );
}

#[test]
fn red_hat_vex_fixed_versions_per_rhel_release() {
    let (_dir, db) = backport_db();
    let rpm = |name: &str, version: &str, distro: &str| {
        format!(
            "pkg:rpm/redhat/{name}@{version}?arch=x86_64&epoch=1&distro={distro}\
             &upstream=openssl-{version}.src.rpm"
        )
    };
    let hit: &[&str] = &["REDHAT-CVE-2023-0286"];
    check(
        &db,
        &[
            // RHEL 9 main stream: fixed in 1:3.0.1-47.el9_1 (the PURL's epoch qualifier).
            (&rpm("openssl-libs", "3.0.1-46.el9_0", "rhel-9.0"), hit),
            (&rpm("openssl-libs", "3.0.1-47.el9_1", "rhel-9.1"), &[]),
            (&rpm("openssl-libs", "3.0.7-18.el9_2", "rhel-9.2"), &[]),
            // A binary package the VEX file does not list, found by its source RPM.
            (&rpm("openssl-perl", "3.0.1-46.el9_0", "rhel-9.0"), hit),
            // RHEL 8 main stream: 1:1.1.1k-9.el8_7.
            (&rpm("openssl-libs", "1.1.1k-8.el8_6", "rhel-8.6"), hit),
            (&rpm("openssl-libs", "1.1.1k-9.el8_7", "rhel-8.7"), &[]),
            // RHEL 6: known affected, no fix.
            (&rpm("openssl", "1.0.1e-58.el6_10", "rhel-6.10"), hit),
            // RHEL 7 is not in the document: nothing.
            (&rpm("openssl-libs", "1.0.2k-25.el7_9", "rhel-7.9"), &[]),
        ],
    );
    // The EUS stream's lower fix (1:1.1.1k-8.el8_6) is not what a rhel-8.6 package is
    // judged by (its PURL does not say it is on EUS): the main stream's is.
    let adv = tekigo_vulndb::parse::csaf(
        &std::fs::read(data().join("redhat-cve-2023-0286.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(adv.len(), 1, "the VEX file is RPMs only: one advisory");
    let json = serde_json::to_string(&adv[0]).unwrap();
    assert!(!json.contains("el8_6"), "{json}");
    assert!(
        json.contains("Red Hat:enterprise_linux:9::baseos"),
        "{json}"
    );
    assert!(adv[0].aliases.contains(&"CVE-2023-0286".to_string()));
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
