//! Findings of a real SBOM against a database imported from a real OSV record (log4j's
//! GHSA-jfh8-c2jp-5v3q), with and without triage.

use std::path::Path;
use tekigo_vex::{ComponentRef, Justification, Record, State, Triage};
use tekigo_vulndb::{Db, ImportOptions};
use tekigo_vulnscan::{findings, Level};

const SBOM: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
 {"type":"library","group":"org.apache.logging.log4j","name":"log4j-core","version":"2.14.1",
  "purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
 {"type":"library","name":"zlib","version":"1.3.1"}
]}"#;

const PURL: &str = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";

fn db(dir: &Path) -> Db {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tekigo-vulndb/tests/fixtures/osv/GHSA-jfh8-c2jp-5v3q.json");
    let path = dir.join("db");
    let opts = ImportOptions {
        keep_going: false,
        progress: None,
    };
    tekigo_vulndb::import(&path, &[fixture], &opts).unwrap();
    Db::open(&path).unwrap()
}

fn record(state: State, justification: Option<Justification>) -> Record {
    Record {
        // Recorded under the alias: the lookup must still find it.
        vulnerability: "CVE-2021-44228".into(),
        aliases: vec![],
        component: ComponentRef::from_purl(PURL),
        any_version: false,
        state,
        justification,
        impact: None,
        action: None,
        note: Some("JNDI lookups disabled".into()),
        author: "alice".into(),
        timestamp: tekigo_vex::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap(),
    }
}

#[test]
fn log4j_is_found_critical_and_open_until_triaged() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(dir.path());
    let sbom = tekigo_sbom::Sbom::from_slice(SBOM.as_bytes(), "bom.json").unwrap();

    let open = findings(&sbom, &db, None).unwrap();
    assert_eq!(open.rows.len(), 1, "{:?}", open.rows);
    let row = &open.rows[0];
    assert_eq!(row.vulnerability, "GHSA-jfh8-c2jp-5v3q");
    assert!(row.aliases.iter().any(|a| a == "CVE-2021-44228"));
    assert_eq!(row.component, PURL);
    assert_eq!(row.component_ref.label(), PURL);
    assert_eq!(row.fixed_version.as_deref(), Some("2.15.0"));
    assert_eq!(row.level(), Some(Level::Critical));
    assert!(row.is_open() && row.fails(Level::Critical) && row.triage.is_none());

    let triage = Triage::from_records(vec![record(
        State::NotAffected,
        Some(Justification::VulnerableCodeNotInExecutePath),
    )])
    .unwrap();
    let closed = findings(&sbom, &db, Some(&triage)).unwrap();
    let row = &closed.rows[0];
    assert!(!row.is_open() && !row.fails(Level::Low));
    let json = serde_json::to_value(row).unwrap();
    assert_eq!(json["triage"]["state"], "not_affected");
    assert_eq!(
        json["triage"]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(json["triage"]["timestamp"], "2023-11-14T22:13:20Z");
    // The fields that only the server uses stay out of the JSON interface.
    assert!(json.get("component_ref").is_none() && json.get("decision").is_none());

    let investigating =
        Triage::from_records(vec![record(State::UnderInvestigation, None)]).unwrap();
    let row = &findings(&sbom, &db, Some(&investigating)).unwrap().rows[0];
    assert!(row.is_open() && row.fails(Level::High));
}

/// What the web application shows for tekigo's own SBOM (issue 13 found 0 findings there):
/// the SBOM of an AlmaLinux 9.3 root (an rpmdb.sqlite written by rpm, see tekigo-cli's
/// tests/fixtures/sources) read
/// back, against AlmaLinux's ALSA-2024:9333 shortened to its `openssl` entry: the
/// `openssl-libs` row comes through its source RPM, at the source's version with its epoch.
/// The same SBOM with the source left out gives no row for it.
#[test]
fn an_advisory_for_the_source_package_is_a_row_for_the_binary_component() {
    let dir = tempfile::tempdir().unwrap();
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tekigo-cli/tests/fixtures/sources");
    let root = cli.join("almalinux-9.3");
    let inventory = tekigo_pkgdb::Inventory::read(&tekigo_rootfs::Root::open(&root).unwrap());
    let options = tekigo_pkgdb::cyclonedx::BomOptions::now();
    let text = tekigo_pkgdb::cyclonedx::to_string(&inventory, &options);
    let sbom = tekigo_sbom::Sbom::from_slice(text.as_bytes(), "alma.cdx.json").unwrap();

    let path = dir.path().join("db");
    let record = cli.join("osv-shortened/ALSA-2024-9333-openssl-entry-only.json");
    tekigo_vulndb::import(&path, &[record], &ImportOptions::default()).unwrap();
    let db = Db::open(&path).unwrap();
    let rows = findings(&sbom, &db, None).unwrap().rows;
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r.component.split('@').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "pkg:rpm/almalinux/openssl",
            "pkg:rpm/almalinux/openssl-libs"
        ],
        "{rows:#?}"
    );
    let libs = &rows[1];
    assert_eq!(libs.vulnerability, "ALSA-2024:9333");
    assert_eq!(libs.version, "1:3.0.7-27.el9");
    assert_eq!(libs.fixed_version.as_deref(), Some("1:3.2.2-6.el9_5"));
    let json = serde_json::to_value(libs).unwrap();
    assert_eq!(json["explanation"]["via_source"], "openssl 1:3.0.7-27.el9");
    // openssl is its own source: found by its own name, no source named.
    assert_eq!(rows[0].explanation.via_source, None);

    let mut without = sbom.clone();
    for c in &mut without.components {
        c.source = None;
    }
    let rows = findings(&without, &db, None).unwrap().rows;
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert!(rows[0].component.starts_with("pkg:rpm/almalinux/openssl@"));
}

/// The JSON written as rows are found is byte for byte the rows' JSON, whatever the number
/// of threads (1,500 components make six chunks, matched by up to five workers, each
/// running ahead of the output), and `--fail-on` agrees.
#[test]
fn streamed_json_is_the_json_of_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(dir.path());
    let text = log4j_sbom((0..1500).map(|i| format!("2.{}.{}", i % 18, i % 3)));
    for sbom_text in [
        text.as_str(),
        SBOM,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}"#,
    ] {
        let sbom = tekigo_sbom::Sbom::from_slice(sbom_text.as_bytes(), "bom.json").unwrap();
        let rows = findings(&sbom, &db, None).unwrap().rows;
        for threshold in [None, Some(Level::Critical)] {
            for threads in [1, 2, 5] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let mut json = Vec::new();
                let summary = pool
                    .install(|| {
                        tekigo_vulnscan::write_findings_json(
                            &sbom, &db, None, None, threshold, &mut json,
                        )
                    })
                    .unwrap();
                assert_eq!(summary.findings, rows.len());
                assert_eq!(
                    String::from_utf8(json).unwrap(),
                    serde_json::to_string_pretty(&rows).unwrap(),
                    "{threads} threads"
                );
                assert_eq!(
                    summary.failing,
                    threshold.is_some_and(|t| rows.iter().any(|r| r.fails(t)))
                );
            }
        }
        if sbom_text == text {
            assert!(rows.len() > 1000, "{}", rows.len());
        }
    }
}

/// A CycloneDX document of log4j-core components at these versions.
fn log4j_sbom(versions: impl Iterator<Item = String>) -> String {
    let components: Vec<String> = versions
        .map(|v| {
            format!(
                r#"{{"type":"library","name":"log4j-core","version":"{v}","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@{v}"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{}]}}"#,
        components.join(",")
    )
}

/// The rows a streamed scan of an SBOM file hands on are the rows of its components, in
/// order, whatever the number of threads; an SBOM that turns out invalid after its first
/// thousand components hands on nothing and is the error.
#[test]
fn rows_of_a_file_are_the_rows_of_its_components() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(dir.path());
    let text = log4j_sbom((0..1500).map(|i| format!("2.{}.{}", i % 18, i % 3)));
    let path = dir.path().join("bom.json");
    std::fs::write(&path, &text).unwrap();
    let sbom = tekigo_sbom::Sbom::from_slice(text.as_bytes(), "bom.json").unwrap();
    let expected = findings(&sbom, &db, None).unwrap().rows;
    assert!(expected.len() > 1000, "{}", expected.len());
    let scan = |path: &std::path::Path| {
        let mut rows = Vec::new();
        let result = tekigo_vulnscan::scan_file_rows(
            path,
            &db,
            None,
            None,
            Vec::new,
            |chunk: &mut Vec<tekigo_vulnscan::FindingRow>, row| chunk.push(row),
            |chunk, _| {
                rows.append(chunk);
                Ok(())
            },
        );
        (result, rows)
    };
    for threads in [1, 2, 5] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let (result, rows) = pool.install(|| scan(&path));
        assert!(result.unwrap().components.is_empty());
        assert_eq!(
            serde_json::to_string(&rows).unwrap(),
            serde_json::to_string(&expected).unwrap(),
            "{threads} threads"
        );
    }
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, text.replace("]}", "],}")).unwrap();
    let (result, rows) = scan(&broken);
    assert!(
        matches!(result, Err(tekigo_vulnscan::ScanError::Sbom(_))),
        "{result:?}"
    );
    assert!(rows.is_empty(), "{} rows handed on", rows.len());
}

/// A writer that accepts `left` bytes and then fails, as a full disk or a closed pipe does.
struct FailsAfter {
    written: Vec<u8>,
    left: usize,
}

impl std::io::Write for FailsAfter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::other("no space left on device"));
        }
        let n = buf.len().min(self.left);
        self.written.extend_from_slice(&buf[..n]);
        self.left -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An output that fails halfway stops the scan with that error (the workers stop too,
/// instead of matching the rest for nothing), and what was written is the start of the
/// document.
#[test]
fn an_output_that_fails_stops_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(dir.path());
    let text = log4j_sbom((0..3000).map(|i| format!("2.{}.0", i % 15)));
    let sbom = tekigo_sbom::Sbom::from_slice(text.as_bytes(), "bom.json").unwrap();
    let mut whole = Vec::new();
    tekigo_vulnscan::write_findings_json(&sbom, &db, None, None, None, &mut whole).unwrap();
    assert!(whole.len() > 1_000_000, "{}", whole.len());
    for left in [0, 1, 70_000, whole.len() / 2] {
        let mut out = FailsAfter {
            written: Vec::new(),
            left,
        };
        let err = tekigo_vulnscan::write_findings_json(&sbom, &db, None, None, None, &mut out)
            .unwrap_err();
        assert!(
            matches!(&err, tekigo_vulnscan::ScanError::Io(e) if e.to_string() == "no space left on device"),
            "{err}"
        );
        assert_eq!(out.written, whole[..left]);
    }
}
