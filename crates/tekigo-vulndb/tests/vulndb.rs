//! The database and matcher against real advisory records (see tests/fixtures/README.md).

use std::io::Write;
use std::path::{Path, PathBuf};
use tekigo_vulndb::{import, scan, Db, Finding, ImportOptions, Query};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn imported() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.tkvdb");
    import(&db, &[fixtures()], &ImportOptions::default()).unwrap();
    let db = Db::open(&db).unwrap();
    (dir, db)
}

fn purl(text: &str) -> Query {
    Query::from_purl(text).unwrap()
}

fn cpe(name: &str, version: &str, cpes: &[&str]) -> Query {
    Query {
        label: name.to_string(),
        name: name.to_string(),
        version: Some(version.to_string()),
        cpes: cpes.iter().map(|c| c.to_string()).collect(),
        ..Query::default()
    }
}

fn findings(db: &Db, q: Query) -> Vec<Finding> {
    let r = scan(db, &[q]).unwrap();
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    r.findings
}

fn ids(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.vulnerability.as_str()).collect()
}

#[test]
fn import_counts_and_reimport_skips_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.tkvdb");
    let first = import(&db, &[fixtures()], &ImportOptions::default()).unwrap();
    // 3 OSV, 3 NVD, 1 + 2 CSAF vulnerabilities, 4 KEV entries.
    assert_eq!(first.added, 13, "{first:?}");
    assert_eq!((first.updated, first.unchanged), (0, 0));
    assert_eq!(first.by_format.get("csaf"), Some(&3));
    assert_eq!(first.by_format.get("kev"), Some(&4));
    // Both Rockwell vulnerabilities carry the unparseable free-text range.
    assert_eq!(first.needs_review, 2, "{first:?}");
    let modified_before = std::fs::metadata(&db).unwrap().modified().unwrap();
    let again = import(&db, &[fixtures()], &ImportOptions::default()).unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 13));
    assert_eq!(
        std::fs::metadata(&db).unwrap().modified().unwrap(),
        modified_before
    );

    // A changed record is an update, not an addition.
    let changed = dir.path().join("changed");
    std::fs::create_dir(&changed).unwrap();
    let text = std::fs::read_to_string(fixtures().join("osv/DSA-5514-1.json")).unwrap();
    std::fs::write(
        changed.join("dsa.json"),
        text.replace("2.36-9+deb12u3", "2.36-9+deb12u4"),
    )
    .unwrap();
    let third = import(&db, &[changed], &ImportOptions::default()).unwrap();
    assert_eq!(
        (third.added, third.updated, third.unchanged, third.total),
        (0, 1, 0, 13)
    );
    let db = Db::open(&db).unwrap();
    assert_eq!(db.len(), 13);
    assert_eq!(db.meta().needs_review, 2);
    assert_eq!(db.meta().records.get("kev"), Some(&4));
    let f = findings(
        &db,
        purl("pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?distro=debian-12&upstream=glibc"),
    );
    assert_eq!(f[0].fixed_version.as_deref(), Some("2.36-9+deb12u4"));
}

#[test]
fn zip_archives_import_like_directories() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("all.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for name in [
        "GHSA-jfh8-c2jp-5v3q.json",
        "DSA-5514-1.json",
        "ALPINE-CVE-2024-3094.json",
    ] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&std::fs::read(fixtures().join("osv").join(name)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap();
    let db = dir.path().join("db");
    std::fs::create_dir(&db).unwrap(); // a directory: the file goes inside it
    let r = import(
        &db,
        std::slice::from_ref(&zip_path),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!((r.documents, r.added), (3, 3));
    assert!(db.join(tekigo_vulndb::FILE_NAME).is_file());

    // A damaged archive is an error naming the entry, never a panic or a partial import.
    let mut bytes = std::fs::read(&zip_path).unwrap();
    let mid = bytes.len() / 3;
    for b in &mut bytes[mid..mid + 40] {
        *b ^= 0xa5;
    }
    let broken = dir.path().join("broken.zip");
    std::fs::write(&broken, &bytes).unwrap();
    let other = dir.path().join("other.tkvdb");
    let err = import(&other, &[broken], &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("broken.zip"), "{err}");
    assert!(!other.exists());
}

#[test]
fn a_failed_import_leaves_the_previous_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.tkvdb");
    import(&db, &[fixtures().join("osv")], &ImportOptions::default()).unwrap();
    let before = std::fs::read(&db).unwrap();
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::copy(
        fixtures().join("nvd/CVE-2024-3094.json"),
        bad.join("a.json"),
    )
    .unwrap();
    std::fs::write(
        bad.join("b.json"),
        "{\n  \"id\": \"X-1\",\n  \"affected\": [,]\n}\n",
    )
    .unwrap();
    let err = import(&db, std::slice::from_ref(&bad), &ImportOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("b.json") && msg.contains("line 3"), "{msg}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database must be untouched"
    );
    assert_eq!(
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp"))
            .count(),
        0
    );
    // With keep_going the bad document is listed and the rest imported.
    let opts = ImportOptions {
        keep_going: true,
        ..ImportOptions::default()
    };
    let r = import(&db, &[bad], &opts).unwrap();
    assert_eq!((r.added, r.rejected.len()), (1, 1), "{r:?}");
}

#[test]
fn a_database_of_another_format_is_refused_by_scans_and_rebuilt_by_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.tkvdb");
    import(&db, &[fixtures()], &ImportOptions::default()).unwrap();
    let mut bytes = std::fs::read(&db).unwrap();
    // The format version is the u32 after the magic number; 2 is the one before heads
    // moved into the postings.
    bytes[8..12].copy_from_slice(&2u32.to_le_bytes());
    std::fs::write(&db, &bytes).unwrap();
    let e = Db::open(&db).unwrap_err().to_string();
    assert!(
        e.contains("db.tkvdb") && e.contains("format 2") && e.contains("vulndb import"),
        "{e}"
    );
    let report = import(&db, &[fixtures()], &ImportOptions::default()).unwrap();
    assert_eq!((report.added, report.unchanged), (report.total, 0));
    let db = Db::open(&db).unwrap();
    let found = findings(
        &db,
        purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
    );
    assert!(
        ids(&found).contains(&"GHSA-jfh8-c2jp-5v3q"),
        "{:?}",
        ids(&found)
    );
}

#[test]
fn damaged_database_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.tkvdb");
    import(&db, &[fixtures()], &ImportOptions::default()).unwrap();
    let bytes = std::fs::read(&db).unwrap();
    for cut in [0, 10, 64, bytes.len() / 2, bytes.len() - 1] {
        let p = dir.path().join(format!("cut{cut}"));
        std::fs::write(&p, &bytes[..cut]).unwrap();
        match Db::open(&p) {
            Err(e) => assert!(e.to_string().contains(&format!("cut{cut}")), "{e}"),
            Ok(d) => {
                // A cut inside the data may leave the tables readable; lookups must then fail
                // cleanly or find nothing, never panic.
                let _ = scan(
                    &d,
                    &[purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")],
                );
            }
        }
    }
    let mut flipped = bytes.clone();
    for i in (64..flipped.len()).step_by(97) {
        flipped[i] ^= 0x5a;
    }
    let p = dir.path().join("flipped");
    std::fs::write(&p, &flipped).unwrap();
    if let Ok(d) = Db::open(&p) {
        let _ = scan(
            &d,
            &[purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")],
        );
    }
}

#[test]
fn log4shell_in_maven_with_kev_and_boundaries() {
    let (_dir, db) = imported();
    let f = findings(
        &db,
        purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
    );
    assert_eq!(ids(&f), ["GHSA-jfh8-c2jp-5v3q"]);
    let f = &f[0];
    assert_eq!(f.aliases, ["CVE-2021-44228"]);
    assert_eq!(f.fixed_version.as_deref(), Some("2.15.0"));
    let sev = f.severity.as_ref().unwrap();
    assert_eq!(
        (sev.score, sev.label.as_deref()),
        (Some(10.0), Some("CRITICAL"))
    );
    let kev = f.kev.as_ref().expect("Log4Shell is in KEV");
    assert_eq!(
        (kev.date_added.as_str(), kev.due_date.as_deref()),
        ("2021-12-10", Some("2021-12-24"))
    );
    assert_eq!(kev.ransomware.as_deref(), Some("Known"));
    assert_eq!(
        f.explanation.comparison,
        "2.14.1 >= introduced 2.13.0 and 2.14.1 < fixed 2.15.0"
    );
    assert!(f.explanation.exact);
    assert!(f.explanation.rules.contains("Maven"));
    // Boundaries of the three ranges: introduced inclusive, fixed exclusive.
    for (v, hit) in [
        ("2.13.0", true),
        ("2.15.0", false),
        ("2.15.0-rc1", true),
        ("2.12.2", false),
        ("2.12.1", true),
        ("2.4", true),
        ("2.4-beta1", false),
        ("2.3.1", false),
        ("2.3", true),
        ("2.16.0", false),
    ] {
        let f = findings(
            &db,
            purl(&format!(
                "pkg:maven/org.apache.logging.log4j/log4j-core@{v}"
            )),
        );
        assert_eq!(!f.is_empty(), hit, "log4j-core {v}: {f:?}");
    }
    // Another artifact of the same group is not log4j-core.
    assert!(findings(
        &db,
        purl("pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1")
    )
    .is_empty());
}

#[test]
fn debian_source_package_and_release() {
    let (_dir, db) = imported();
    let q = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u2?arch=amd64&distro=debian-12&upstream=glibc";
    let f = findings(&db, purl(q));
    assert_eq!(ids(&f), ["DSA-5514-1"]);
    assert_eq!(f[0].aliases, ["CVE-2023-4911", "DEBIAN-CVE-2023-4911"]);
    assert_eq!(f[0].fixed_version.as_deref(), Some("2.36-9+deb12u3"));
    assert_eq!(
        f[0].explanation.matched_by,
        "OSV Debian:12 package glibc (the source package of this component)"
    );
    assert_eq!(
        f[0].explanation.via_source.as_deref(),
        Some("glibc 2.36-9+deb12u2")
    );
    assert!(f[0]
        .explanation
        .comparison
        .starts_with("source glibc: 2.36-9+deb12u2 >= introduced 0"));
    // The finding names the binary component and its version.
    assert_eq!(f[0].component, q);
    assert_eq!(f[0].version, "2.36-9+deb12u2");
    assert!(f[0].explanation.rules.contains("dpkg"));
    // The source package itself, listed as a component, matches by its own name.
    let f = findings(
        &db,
        purl("pkg:deb/debian/glibc@2.36-9%2Bdeb12u2?distro=debian-12"),
    );
    assert_eq!(ids(&f), ["DSA-5514-1"]);
    assert_eq!(f[0].explanation.via_source, None);
    assert!(findings(
        &db,
        purl("pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?distro=debian-12&upstream=glibc")
    )
    .is_empty());
    // The bookworm fix does not apply to bullseye: 2.31 there is compared with deb11u7.
    let f = findings(
        &db,
        purl("pkg:deb/debian/libc6@2.31-13%2Bdeb11u6?distro=bullseye&upstream=glibc"),
    );
    assert_eq!(f[0].fixed_version.as_deref(), Some("2.31-13+deb11u7"));
    assert!(findings(
        &db,
        purl("pkg:deb/debian/libc6@2.31-13%2Bdeb11u7?distro=debian-11&upstream=glibc")
    )
    .is_empty());
    // Without a release the match is made and says which release's data it used.
    let f = findings(&db, purl("pkg:deb/debian/glibc@2.31-13"));
    assert_eq!(f.len(), 1);
    assert!(
        f[0].explanation.notes[0].contains("does not say which release"),
        "{:?}",
        f[0].explanation
    );
    // Ubuntu is another ecosystem: no Debian advisory applies.
    assert!(findings(
        &db,
        purl("pkg:deb/ubuntu/libc6@2.35-0ubuntu3?distro=ubuntu-22.04&upstream=glibc")
    )
    .is_empty());
}

#[test]
fn alpine_revisions() {
    let (_dir, db) = imported();
    let q = |v: &str| {
        purl(&format!(
            "pkg:apk/alpine/liblzma@{v}?distro=alpine-3.20.1&upstream=xz"
        ))
    };
    assert_eq!(ids(&findings(&db, q("5.6.1-r1"))), ["ALPINE-CVE-2024-3094"]);
    assert!(findings(&db, q("5.6.1-r2")).is_empty());
    assert!(findings(&db, q("5.4.6-r0")).is_empty());
    assert!(!findings(&db, q("5.6.0-r0")).is_empty());
    assert!(findings(&db, purl("pkg:apk/alpine/xz@5.6.1-r1?distro=alpine-3.19.1")).is_empty());
}

/// The xz backdoor as Alpine's OSV record (ALPINE-CVE-2024-3094, upstream CVE-2024-3094)
/// and as NVD's CVE-2024-3094: a component that both match (PURL and a stated CPE) gets one
/// finding naming both sources, not two rows.
#[test]
fn one_finding_per_vulnerability_across_sources() {
    let (_dir, db) = imported();
    let mut q = purl("pkg:apk/alpine/liblzma@5.6.1-r1?distro=alpine-3.20.1&upstream=xz");
    q.cpes = vec!["cpe:2.3:a:tukaani:xz:5.6.1:*:*:*:*:*:*:*".to_string()];
    let f = findings(&db, q.clone());
    assert_eq!(ids(&f), ["ALPINE-CVE-2024-3094"], "{f:#?}");
    let f = &f[0];
    assert_eq!(f.aliases, ["CVE-2024-3094"]);
    let sources: Vec<(&str, &str)> = f
        .sources
        .iter()
        .map(|s| (s.source.as_str(), s.advisory.as_str()))
        .collect();
    assert_eq!(
        sources,
        [("osv", "ALPINE-CVE-2024-3094"), ("nvd", "CVE-2024-3094")]
    );
    // The OSV match is exact (apk rules on the PURL version); NVD's only through the CPE.
    assert!(f.sources[0]
        .explanation
        .matched_by
        .starts_with("OSV Alpine"));
    assert!(f.sources[1]
        .explanation
        .matched_by
        .starts_with("CPE cpe:2.3:a:tukaani:xz"));
    assert_eq!(f.fixed_version.as_deref(), Some("5.6.1-r2"));
    // NVD scores it 10.0; the Alpine record has no score: the merged finding keeps the 10.0.
    assert_eq!(f.severity.as_ref().and_then(|s| s.score), Some(10.0));
    assert!(f
        .published
        .as_deref()
        .is_some_and(|p| p.starts_with("2024-03-29")));
    // The same component without the CPE: OSV alone, still one finding.
    q.cpes.clear();
    let only_osv = findings(&db, q);
    assert_eq!(ids(&only_osv), ["ALPINE-CVE-2024-3094"]);
    assert_eq!(only_osv[0].sources.len(), 1);
    // Two vulnerabilities of one CSAF document share its id as an alias; they stay two.
    let q = Query {
        label: "FactoryTalk Activation Manager".into(),
        name: "Factory Talk Activation Manager".into(),
        version: Some("4.0".into()),
        supplier: Some("Rockwell Automation, Inc.".into()),
        ..Query::default()
    };
    assert_eq!(findings(&db, q).len(), 2);
}

#[test]
fn nvd_matches_only_stated_cpes() {
    let (_dir, db) = imported();
    // A PyPI tensorflow without a CPE is not matched to the NVD record (no CPE guessing).
    assert!(findings(&db, purl("pkg:pypi/tensorflow@2.6.3")).is_empty());
    let tf = |v: &str, c: &str| cpe("tensorflow", v, &[c]);
    let f = findings(
        &db,
        tf("2.6.3", "cpe:2.3:a:google:tensorflow:2.6.3:*:*:*:*:*:*:*"),
    );
    assert_eq!(ids(&f), ["CVE-2022-29194"]);
    assert_eq!(f[0].fixed_version.as_deref(), Some("2.6.4"));
    assert_eq!(
        f[0].explanation.comparison,
        "2.6.3 < versionEndExcluding 2.6.4"
    );
    assert!(!f[0].explanation.exact, "no ecosystem known: generic rules");
    assert_eq!(f[0].severity.as_ref().unwrap().score, Some(5.5));
    assert!(findings(
        &db,
        tf("2.6.4", "cpe:2.3:a:google:tensorflow:2.6.4:*:*:*:*:*:*:*")
    )
    .is_empty());
    assert!(!findings(
        &db,
        tf("2.7.0", "cpe:2.3:a:google:tensorflow:2.7.0:*:*:*:*:*:*:*")
    )
    .is_empty());
    assert!(findings(
        &db,
        tf("2.7.2", "cpe:2.3:a:google:tensorflow:2.7.2:*:*:*:*:*:*:*")
    )
    .is_empty());
    // Release candidates are listed by CPE update field.
    assert!(!findings(
        &db,
        tf("2.9.0", "cpe:2.3:a:google:tensorflow:2.9.0:rc1:*:*:*:*:*:*")
    )
    .is_empty());
    assert!(findings(
        &db,
        tf("2.9.0", "cpe:2.3:a:google:tensorflow:2.9.0:*:*:*:*:*:*:*")
    )
    .is_empty());
    // A CPE without version uses the component version.
    assert!(!findings(
        &db,
        tf("2.8.0", "cpe:2.3:a:google:tensorflow:*:*:*:*:*:*:*:*")
    )
    .is_empty());
    let xz = findings(
        &db,
        cpe("xz", "5.6.1", &["cpe:2.3:a:tukaani:xz:5.6.1:*:*:*:*:*:*:*"]),
    );
    assert_eq!(ids(&xz), ["CVE-2024-3094"]);
    assert!(findings(
        &db,
        cpe("xz", "5.4.6", &["cpe:2.3:a:tukaani:xz:5.4.6:*:*:*:*:*:*:*"])
    )
    .is_empty());
}

/// ESP-IDF 4.1, whose NVD configuration needs an ESP32 to run on, and the chip.
fn esp_idf_and_chip() -> [Query; 2] {
    [
        cpe(
            "esp-idf",
            "4.1",
            &["cpe:2.3:a:espressif:esp-idf:4.1:*:*:*:*:*:*:*"],
        ),
        cpe("ESP32", "-", &["cpe:2.3:h:espressif:esp32:-:*:*:*:*:*:*:*"]),
    ]
}

#[test]
fn nvd_and_configuration_with_a_platform() {
    let (_dir, db) = imported();
    let [idf, chip] = esp_idf_and_chip();
    // The SBOM does not say which chip: the finding stands but needs review.
    let r = scan(&db, std::slice::from_ref(&idf)).unwrap();
    assert_eq!(ids(&r.findings), ["CVE-2020-13595"]);
    let f = &r.findings[0];
    assert!(f.needs_review);
    assert!(
        f.explanation.notes[0].contains("cpe:2.3:h:espressif:esp32"),
        "{:?}",
        f.explanation
    );
    // With the ESP32 in the SBOM the condition is confirmed.
    let r = scan(&db, &[idf.clone(), chip]).unwrap();
    assert_eq!(ids(&r.findings), ["CVE-2020-13595"]);
    assert!(!r.findings[0].needs_review);
    // Version bounds are inclusive on both ends here.
    assert!(
        findings(
            &db,
            cpe(
                "esp-idf",
                "4.2",
                &["cpe:2.3:a:espressif:esp-idf:4.2:*:*:*:*:*:*:*"]
            )
        )
        .len()
            == 1
    );
    assert!(findings(
        &db,
        cpe(
            "esp-idf",
            "4.3",
            &["cpe:2.3:a:espressif:esp-idf:4.3:*:*:*:*:*:*:*"]
        )
    )
    .is_empty());
}

#[test]
fn csaf_by_cpe_and_by_name() {
    let (_dir, db) = imported();
    let conv = |v: &str| {
        cpe(
            "CVRF-CSAF-Converter",
            v,
            &[&format!("cpe:/a:csaf-tools:cvrf-csaf-converter:{v}")],
        )
    };
    let f = findings(&db, conv("1.0.0-rc1"));
    assert_eq!(ids(&f), ["CVE-2022-27193"]);
    assert!(f[0].aliases.contains(&"BSI-2022-0001".to_string()));
    assert_eq!(f[0].fixed_version.as_deref(), Some("1.0.0-rc2"));
    assert_eq!(f[0].severity.as_ref().unwrap().score, Some(6.1));
    assert!(findings(&db, conv("1.0.0-rc2")).is_empty());
    // By product name, with the supplier agreeing with the vendor.
    let by_name = Query {
        label: "CVRF-CSAF-Converter".into(),
        name: "CVRF-CSAF-Converter".into(),
        version: Some("1.0.0-dev2".into()),
        supplier: Some("CSAF Tools".into()),
        ..Query::default()
    };
    assert_eq!(ids(&findings(&db, by_name.clone())), ["CVE-2022-27193"]);
    let other_vendor = Query {
        supplier: Some("Someone Else GmbH".into()),
        ..by_name
    };
    assert!(findings(&db, other_vendor).is_empty());
}

#[test]
fn csaf_free_text_range_is_reported_for_review() {
    let (_dir, db) = imported();
    let q = Query {
        label: "FactoryTalk Activation Manager".into(),
        name: "Factory Talk Activation Manager".into(),
        version: Some("4.0".into()),
        supplier: Some("Rockwell Automation, Inc.".into()),
        ..Query::default()
    };
    let f = findings(&db, q);
    assert_eq!(ids(&f), ["CVE-2023-38545", "CVE-2023-3935"]);
    for f in &f {
        assert!(f.needs_review);
        assert!(f
            .explanation
            .range
            .contains("<V4.00_Utilizes_Wibu-Systems_CodeMeter_7.60c"));
        assert!(f.explanation.comparison.contains("could not be parsed"));
    }
}

/// Writes one OSV record per (ecosystem, package, events) and checks versions at and around
/// every boundary.
#[test]
fn boundaries_in_every_ecosystem() {
    struct Case {
        ecosystem: &'static str,
        purl: &'static str,
        events: &'static str,
        checks: &'static [(&'static str, bool)],
    }
    let cases = [
        Case {
            ecosystem: "Debian:12",
            purl: "pkg:deb/debian/pkg@{}?distro=debian-12",
            events: r#"[{"introduced":"1:1.0-1"},{"fixed":"1:1.2-3"}]"#,
            checks: &[
                ("1.0-1", false), // no epoch: epoch 0 is older than any 1:
                ("2.0-1", false),
                ("1:1.0-1", true),      // introduced is inclusive
                ("1:1.0~rc1-1", false), // tilde sorts before the release
                ("1:1.2-3~deb12u1", true),
                ("1:1.2-2", true),
                ("1:1.2-3", false), // fixed is exclusive
                ("1:1.2-3+b1", false),
                ("2:0.1-1", false),
            ],
        },
        Case {
            ecosystem: "Red Hat",
            purl: "pkg:rpm/redhat/pkg@{}",
            events: r#"[{"introduced":"0"},{"last_affected":"1:3.0.7-24.el9"}]"#,
            checks: &[
                ("3.0.7-99.el9", true),   // epoch 0 < epoch 1
                ("1:3.0.7-24.el9", true), // last_affected is inclusive
                ("1:3.0.7-24.el9~1", true),
                ("1:3.0.7-24.el9.1", false),
                ("1:3.0.7-25.el9", false),
            ],
        },
        Case {
            ecosystem: "Alpine:v3.19",
            purl: "pkg:apk/alpine/pkg@{}?distro=alpine-3.19.1",
            events: r#"[{"introduced":"3.1.0-r0"},{"fixed":"3.1.4-r1"}]"#,
            checks: &[
                ("3.0.9-r3", false),
                ("3.1.0-r0", true),
                ("3.1.4_rc1-r0", true),
                ("3.1.4-r0", true),
                ("3.1.4-r1", false),
                ("3.1.4_p1-r0", false),
            ],
        },
        Case {
            ecosystem: "PyPI",
            purl: "pkg:pypi/pkg@{}",
            events: r#"[{"introduced":"2.0"},{"fixed":"2.0.3"}]"#,
            checks: &[
                ("2.0rc1", false),
                ("2.0", true),
                ("2.0.0", true),
                ("2.0.3.dev1", true),
                ("2.0.3rc1", true),
                ("2.0.3", false),
                ("2.0.3.post1", false),
                ("1!1.0", false), // epoch 1 is newer than everything in epoch 0
            ],
        },
        Case {
            ecosystem: "npm",
            purl: "pkg:npm/pkg@{}",
            events: r#"[{"introduced":"1.0.0"},{"fixed":"1.0.2"},{"introduced":"3.0.0"},{"last_affected":"3.2.5"}]"#,
            checks: &[
                ("0.9.9", false),
                ("1.0.0-rc.1", false),
                ("1.0.0", true),
                ("1.0.2-rc.1", true),
                ("1.0.2", false),
                ("2.9.9", false),
                ("3.0.0", true),
                ("3.2.5", true),
                ("3.2.6", false),
            ],
        },
        Case {
            ecosystem: "crates.io",
            purl: "pkg:cargo/pkg@{}",
            events: r#"[{"introduced":"0"},{"fixed":"0.8.5"}]"#,
            checks: &[
                ("0.0.1", true),
                ("0.8.4", true),
                ("0.8.5-alpha.1", true),
                ("0.8.5", false),
            ],
        },
        Case {
            ecosystem: "Go",
            purl: "pkg:golang/example.com/pkg@{}",
            events: r#"[{"introduced":"0"},{"fixed":"1.20.5"}]"#,
            checks: &[
                ("v1.20.4", true),
                ("1.20.4", true),
                ("v1.20.5", false),
                ("v0.0.0-20230101000000-abcdef012345", true),
            ],
        },
        Case {
            ecosystem: "Maven",
            purl: "pkg:maven/org.example/pkg@{}",
            events: r#"[{"introduced":"2.0-beta9"},{"fixed":"2.15.0"}]"#,
            checks: &[
                ("2.0-alpha1", false),
                ("2.0-beta9", true),
                ("2.14.1", true),
                ("2.15.0-SNAPSHOT", true),
                ("2.15", false),
                ("2.15.0", false),
            ],
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for (i, c) in cases.iter().enumerate() {
        let name = if c.ecosystem == "Go" {
            "example.com/pkg"
        } else if c.ecosystem == "Maven" {
            "org.example:pkg"
        } else {
            "pkg"
        };
        let rec = format!(
            r#"{{"id":"TEST-{i}","modified":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"{}","name":"{name}"}},"ranges":[{{"type":"ECOSYSTEM","events":{}}}]}}]}}"#,
            c.ecosystem, c.events
        );
        std::fs::write(src.join(format!("{i}.json")), rec).unwrap();
    }
    let db = dir.path().join("db");
    let r = import(&db, &[src], &ImportOptions::default()).unwrap();
    assert_eq!(r.needs_review, 0, "{r:?}");
    let db = Db::open(&db).unwrap();
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        for (v, want) in c.checks {
            let text = c
                .purl
                .replace("{}", &v.replace('+', "%2B").replace('!', "%21"));
            let r = scan(&db, &[purl(&text)]).unwrap();
            let got = r
                .findings
                .iter()
                .any(|f| f.vulnerability == format!("TEST-{i}"));
            if got != *want || !r.warnings.is_empty() {
                failures.push(format!(
                    "{} {v}: got {got}, want {want} {:?}",
                    c.ecosystem, r.warnings
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// OSV.dev lists the affected versions beside the ranges they come from: a version that is
/// on the list and in a range with a fix is explained by the range and shows its fix; the
/// list decides alone for versions no range holds (a GIT range, a range this ecosystem
/// cannot read). Each row worked out by hand from the record written here.
#[test]
fn the_versions_list_and_the_ranges() {
    let record = |id: &str, ranges: &str, versions: &str| {
        format!(
            r#"{{"id":"{id}","modified":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"PyPI","name":"pkg-{id}"}},"ranges":{ranges},"versions":{versions}}}]}}"#
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for (id, ranges) in [
        // The range and the list agree, as in OSV.dev's records.
        (
            "both",
            r#"[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"fixed":"1.3"}]}]"#,
        ),
        // Only a commit range: the list is all that speaks of versions.
        (
            "git",
            r#"[{"type":"GIT","repo":"https://example.invalid/r","events":[{"introduced":"0"},{"fixed":"a1b2c3"}]}]"#,
        ),
        // A fix this ecosystem cannot read (PEP 440 has no `~`).
        (
            "unreadable",
            r#"[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.3~x"}]}]"#,
        ),
    ] {
        let rec = record(id, ranges, r#"["1.0","1.1","1.2"]"#);
        std::fs::write(src.join(format!("{id}.json")), rec).unwrap();
    }
    let db = dir.path().join("db");
    import(&db, &[src], &ImportOptions::default()).unwrap();
    let db = Db::open(&db).unwrap();
    // (package, version, explanation's range, fixed version; None: no finding)
    type Want = Option<(&'static str, Option<&'static str>)>;
    let table: [(&str, &str, Want); 9] = [
        (
            "both",
            "1.1",
            Some(("ECOSYSTEM range: introduced 1.0, fixed 1.3", Some("1.3"))),
        ),
        // 1.1.0 is 1.1 under PEP 440: the range says so too.
        (
            "both",
            "1.1.0",
            Some(("ECOSYSTEM range: introduced 1.0, fixed 1.3", Some("1.3"))),
        ),
        (
            "both",
            "1.2.5",
            Some(("ECOSYSTEM range: introduced 1.0, fixed 1.3", Some("1.3"))),
        ),
        ("both", "1.3", None),
        ("git", "1.1", Some(("affected versions list", None))),
        ("git", "1.1.0", Some(("affected versions list", None))),
        ("git", "1.2.5", None),
        ("unreadable", "1.2", Some(("affected versions list", None))),
        ("unreadable", "0.9", None),
    ];
    for (pkg, version, want) in table {
        let r = scan(&db, &[purl(&format!("pkg:pypi/pkg-{pkg}@{version}"))]).unwrap();
        let got = r
            .findings
            .first()
            .map(|f| (f.explanation.range.as_str(), f.fixed_version.as_deref()));
        assert_eq!(got, want, "{pkg} {version}");
        // The unreadable fix is told when the list does not decide.
        let warned = !r.warnings.is_empty();
        assert_eq!(
            warned,
            pkg == "unreadable" && want.is_none(),
            "{pkg} {version}: {:?}",
            r.warnings
        );
    }
}

/// The database keeps of a versions list only the versions no range holds (the matcher asks
/// the ranges first, so the others can never decide): whether a version is affected is
/// still what the whole record says, recomputed here plainly from the record's text (any
/// range holds it, or it equals a listed version) with tekigo-versions, for versions on,
/// near and between the listed ones, in three ecosystems.
#[test]
fn versions_left_out_of_the_database_change_no_verdict() {
    use tekigo_versions::{affected, compare, Ecosystem, Event};
    struct Case {
        ecosystem: &'static str,
        purl: &'static str,
        ranges: &'static [(&'static str, &'static [(&'static str, &'static str)])],
        versions: &'static [&'static str],
        checks: &'static [&'static str],
    }
    let cases = [
        Case {
            ecosystem: "PyPI",
            purl: "pkg:pypi/pkg@{}",
            ranges: &[("ECOSYSTEM", &[("introduced", "1.0"), ("fixed", "1.3")])],
            // Held by the range, spelled otherwise, and outside it.
            versions: &["1.0", "1.1.0", "1.2", "2.0", "2.1.post1"],
            checks: &[
                "0.9",
                "1.0",
                "1.0.0",
                "1.1",
                "1.2.0",
                "1.3",
                "2",
                "2.0.0",
                "2.1.post1",
                "2.1",
                "3.0",
            ],
        },
        Case {
            ecosystem: "Debian:12",
            purl: "pkg:deb/debian/pkg@{}?distro=debian-12",
            ranges: &[
                ("ECOSYSTEM", &[("introduced", "0"), ("fixed", "1.2-3")]),
                ("GIT", &[("introduced", "0"), ("fixed", "abc")]),
            ],
            versions: &["1.0-1", "1.2-2", "0:1.2-2", "1.4-1", "1.4-1+b1"],
            checks: &[
                "1.0-1", "0:1.0-1", "1.2-3", "1.4-1", "0:1.4-1", "1.4-1+b1", "1.4-2",
            ],
        },
        Case {
            ecosystem: "npm",
            purl: "pkg:npm/pkg@{}",
            ranges: &[
                (
                    "SEMVER",
                    &[("introduced", "1.0.0"), ("last_affected", "1.4.0")],
                ),
                ("SEMVER", &[("introduced", "3.0.0"), ("fixed", "3.1.0")]),
            ],
            versions: &["1.2.0", "2.0.0", "3.0.5", "4.0.0-rc.1"],
            checks: &[
                "1.2.0",
                "1.4.0",
                "1.4.1",
                "2.0.0",
                "3.0.5",
                "3.1.0",
                "4.0.0-rc.1",
                "4.0.0",
            ],
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for (i, c) in cases.iter().enumerate() {
        let ranges: Vec<serde_json::Value> = c
            .ranges
            .iter()
            .map(|(kind, events)| {
                let events: Vec<serde_json::Value> = events
                    .iter()
                    .map(|(k, v)| serde_json::json!({ *k: v }))
                    .collect();
                serde_json::json!({"type": kind, "repo": "https://example.invalid/r", "events": events})
            })
            .collect();
        let rec = serde_json::json!({
            "id": format!("LIST-{i}"),
            "modified": "2024-01-01T00:00:00Z",
            "affected": [{
                "package": {"ecosystem": c.ecosystem, "name": "pkg"},
                "ranges": ranges,
                "versions": c.versions,
            }],
        });
        std::fs::write(src.join(format!("{i}.json")), rec.to_string()).unwrap();
    }
    let db = dir.path().join("db");
    import(&db, &[src], &ImportOptions::default()).unwrap();
    let db = Db::open(&db).unwrap();
    let mut listed_only = 0;
    for (i, c) in cases.iter().enumerate() {
        let eco = Ecosystem::from_osv(c.ecosystem).unwrap();
        for v in c.checks {
            let by_range = c
                .ranges
                .iter()
                .filter(|(kind, _)| *kind != "GIT")
                .any(|(_, events)| {
                    let events: Vec<Event<&str>> = events
                        .iter()
                        .map(|&(k, e)| match k {
                            "introduced" => Event::Introduced(e),
                            "fixed" => Event::Fixed(e),
                            _ => Event::LastAffected(e),
                        })
                        .collect();
                    affected(eco, v, &events).unwrap()
                });
            let by_list = c
                .versions
                .iter()
                .any(|l| compare(eco, v, l).unwrap().ordering == std::cmp::Ordering::Equal);
            listed_only += usize::from(by_list && !by_range);
            let text = c.purl.replace("{}", &v.replace('+', "%2B"));
            let r = scan(&db, &[purl(&text)]).unwrap();
            assert!(r.warnings.is_empty(), "{v}: {:?}", r.warnings);
            let found = r
                .findings
                .iter()
                .any(|f| f.vulnerability == format!("LIST-{i}"));
            assert_eq!(found, by_range || by_list, "{} {v}", c.ecosystem);
        }
    }
    // Versions that only the list makes affected were checked (the list still decides).
    assert!(listed_only >= 6, "{listed_only}");
}

/// Components of three kinds for long lists: two with findings, one without.
fn three_kinds() -> [Query; 3] {
    [
        purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
        purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"),
        purl("pkg:apk/alpine/liblzma@5.6.1-r1?distro=alpine-3.20.1&upstream=xz"),
    ]
}

#[test]
fn long_lists_give_the_findings_of_each_component_in_order() {
    // Long enough to be split over the cores: the result must be each component's own
    // findings, in component order, with the right component index.
    let (_dir, db) = imported();
    let kinds = three_kinds();
    let alone: Vec<Vec<String>> = kinds
        .iter()
        .map(|q| {
            findings(&db, q.clone())
                .iter()
                .map(|f| f.vulnerability.clone())
                .collect()
        })
        .collect();
    assert!(
        alone.iter().filter(|f| !f.is_empty()).count() >= 2,
        "{alone:?}"
    );
    let queries: Vec<Query> = (0..3000).map(|i| kinds[i % 3].clone()).collect();
    let result = scan(&db, &queries).unwrap();
    let mut expected = Vec::new();
    for i in 0..queries.len() {
        for id in &alone[i % 3] {
            expected.push((i, id.clone()));
        }
    }
    let got: Vec<(usize, String)> = result
        .findings
        .iter()
        .map(|f| (f.component_index, f.vulnerability.clone()))
        .collect();
    assert_eq!(got, expected);
}

/// An advisory keyed by a source package is compared with the source's version, not the
/// binary's: Debian's `bsdutils 1:2.38.1-5+deb12u3` carries an epoch its source
/// `util-linux 2.38.1-5+deb12u3` lacks, so comparing the binary's version with a fix in
/// `2.38.1-5+deb12u4` would call it fixed. (The record is written here for the rule: it is
/// the shape of the DSA fixture with another package and fix.)
#[test]
fn source_keyed_advisories_compare_the_source_version() {
    let dir = tempfile::tempdir().unwrap();
    let record = |fixed: &str| {
        format!(
            r#"{{"id": "DEBIAN-TEST-1", "modified": "2024-01-01T00:00:00Z",
              "affected": [{{"package": {{"ecosystem": "Debian:12", "name": "util-linux"}},
              "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#
        )
    };
    let bsdutils = "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5%2Bdeb12u3";
    let scan_with = |fixed: &str| {
        let input = dir.path().join(format!("in-{fixed}"));
        std::fs::create_dir_all(&input).unwrap();
        std::fs::write(input.join("r.json"), record(fixed)).unwrap();
        let db = dir.path().join(format!("db-{fixed}"));
        import(&db, &[input], &ImportOptions::default()).unwrap();
        let db = Db::open(&db).unwrap();
        findings(&db, purl(bsdutils))
    };
    let f = scan_with("2.38.1-5+deb12u4");
    assert_eq!(ids(&f), ["DEBIAN-TEST-1"]);
    assert_eq!(f[0].version, "1:2.38.1-5+deb12u3");
    assert_eq!(
        f[0].explanation.via_source.as_deref(),
        Some("util-linux 2.38.1-5+deb12u3")
    );
    assert!(
        f[0].explanation
            .comparison
            .ends_with("2.38.1-5+deb12u3 < fixed 2.38.1-5+deb12u4"),
        "{}",
        f[0].explanation.comparison
    );
    assert!(scan_with("2.38.1-5+deb12u3").is_empty());
}

/// A binNMU: binary `bash 5.2.15-2+b13` from source `bash 5.2.15-2` is looked up under one
/// name with both versions, and an advisory found both ways is one finding, explained
/// through the source.
#[test]
fn a_record_found_by_binary_and_source_is_one_finding() {
    let (_dir, db) = imported();
    let q = purl("pkg:deb/debian/glibc@2.36-9%2Bb1?distro=debian-12&upstream=glibc%402.36-9");
    let f = findings(&db, q);
    assert_eq!(ids(&f), ["DSA-5514-1"]);
    assert_eq!(f[0].sources.len(), 1);
    assert_eq!(f[0].explanation.via_source.as_deref(), Some("glibc 2.36-9"));
}

#[test]
fn every_key_is_found_through_the_key_sample_and_no_other() {
    // 300 packages: five blocks of the key sample (every 64th key), so lookups land in the
    // first, inner and last blocks and on sampled keys themselves. Plain recomputation: a
    // component has a finding exactly when its name is one of the written packages, and then
    // only that package's advisory.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    let n = 300;
    for i in 0..n {
        let rec = format!(
            r#"{{"id":"TEST-{i}","modified":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"npm","name":"p{i:04}"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"1.0.0"}}]}}]}}]}}"#
        );
        std::fs::write(src.join(format!("{i}.json")), rec).unwrap();
    }
    let db = dir.path().join("db");
    import(&db, &[src], &ImportOptions::default()).unwrap();
    let db = Db::open(&db).unwrap();
    let mut names: Vec<String> = (0..n).map(|i| format!("p{i:04}")).collect();
    // Before the first key, between every two keys, after the last.
    names.extend(["a".to_string(), "p".to_string(), "zz".to_string()]);
    names.extend((0..n).map(|i| format!("p{i:04}x")));
    let queries: Vec<Query> = names
        .iter()
        .map(|name| purl(&format!("pkg:npm/{name}@0.5.0")))
        .collect();
    let r = scan(&db, &queries).unwrap();
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let got: Vec<(usize, &str)> = r
        .findings
        .iter()
        .map(|f| (f.component_index, f.vulnerability.as_str()))
        .collect();
    let want_ids: Vec<String> = (0..n).map(|i| format!("TEST-{i}")).collect();
    let want: Vec<(usize, &str)> = want_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (i, id.as_str()))
        .collect();
    assert_eq!(got, want);
}

/// Chunks matched while the queries are still coming (`QueryFeed`, as `tekigo vuln scan`
/// feeds the components while it reads the SBOM) give what the whole list gives, emitted
/// only once the feed is closed: here an NVD platform condition is confirmed by the last
/// component, fed long after the one it concerns may have been matched.
#[test]
fn a_scan_of_queries_still_being_fed_gives_what_the_whole_list_gives() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use tekigo_vulndb::{scan_ordered, Feeding, QueryFeed};
    let (_dir, db) = imported();
    let kinds = three_kinds();
    let [idf, chip] = esp_idf_and_chip();
    let mut queries = vec![idf];
    queries.extend((0..3000).map(|i| kinds[i % 3].clone()));
    queries.push(chip);
    let whole = scan(&db, &queries).unwrap();
    let key = |f: &Finding| (f.component_index, f.vulnerability.clone(), f.needs_review);
    let want: Vec<_> = whole.findings.iter().map(key).collect();
    assert_eq!(want[0], (0, "CVE-2020-13595".to_string(), false));

    let feed = QueryFeed::new();
    let closed = AtomicBool::new(false);
    let mut got = Vec::new();
    let mut early = false;
    std::thread::scope(|s| {
        s.spawn(|| {
            let feeding = Feeding(&feed);
            for (i, q) in queries.iter().enumerate() {
                feed.push(q.clone());
                if i % 500 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            }
            closed.store(true, Ordering::SeqCst);
            feeding.close();
        });
        scan_ordered(
            &db,
            &feed,
            Vec::new,
            |rows: &mut Vec<_>, q: &Query, f| {
                assert_eq!(q.label, queries[f.component_index].label);
                rows.push(key(&f));
            },
            |rows, _| {
                early |= !closed.load(Ordering::SeqCst);
                got.append(rows);
                Ok::<(), tekigo_vulndb::DbError>(())
            },
        )
        .unwrap();
    });
    assert!(!early, "a chunk was emitted before the feed was closed");
    assert_eq!(got, want);

    // An abandoned feed (an SBOM found broken halfway) emits nothing.
    let feed = QueryFeed::new();
    let mut emitted = 0;
    std::thread::scope(|s| {
        s.spawn(|| {
            let _feeding = Feeding(&feed);
            for q in queries.iter().take(1000) {
                feed.push(q.clone());
            }
        });
        emitted = chunks_emitted(&db, &feed, usize::MAX);
    });
    assert!(feed.abandoned());
    assert_eq!(emitted, 0);
}

/// A panic in a worker or in `emit` reaches the caller instead of leaving the other threads
/// of the scan waiting for a chunk that never comes (a hang in CI at night).
#[test]
fn a_panic_during_a_scan_is_passed_on_not_waited_for() {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use tekigo_vulndb::{scan_ordered, QueryFeed};
    let (_dir, db) = imported();
    let q = purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
    let feed = QueryFeed::of(vec![q; 3000]);
    let in_worker = catch_unwind(AssertUnwindSafe(|| {
        scan_ordered(
            &db,
            &feed,
            || (),
            |_, _: &Query, f| assert!(f.component_index != 1000, "a worker's bug"),
            |_, _| Ok::<(), tekigo_vulndb::DbError>(()),
        )
    }));
    assert!(in_worker.is_err());
    let in_emit = catch_unwind(|| chunks_emitted(&db, &feed, 2));
    assert!(in_emit.is_err());
}

/// How many chunks a scan of `feed` emits (finding nothing of interest), with `emit`
/// panicking at the `panic_at`-th.
fn chunks_emitted(db: &Db, feed: &tekigo_vulndb::QueryFeed<Query>, panic_at: usize) -> usize {
    let mut emitted = 0;
    tekigo_vulndb::scan_ordered(
        db,
        feed,
        || (),
        |_, _: &Query, _| {},
        |_, _| {
            emitted += 1;
            assert!(emitted < panic_at, "emit's bug");
            Ok::<(), tekigo_vulndb::DbError>(())
        },
    )
    .unwrap();
    emitted
}
