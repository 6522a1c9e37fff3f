//! The watch's shared re-match gives every SBOM exactly the findings of matching it on its
//! own, with the real advisory fixtures of tekigo-vulndb (OSV, NVD with CPE platform
//! conditions, CSAF, KEV).

use std::path::Path;
use tekigo_sbom::Sbom;

fn sbom(components: &[&str]) -> Sbom {
    let text = format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{}]}}"#,
        components.join(",")
    );
    Sbom::from_slice(text.as_bytes(), "test").unwrap()
}

const LOG4J: &str = r#"{"type":"library","group":"org.apache.logging.log4j","name":"log4j-core","version":"2.14.1","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}"#;
const LOG4J_FIXED: &str = r#"{"type":"library","group":"org.apache.logging.log4j","name":"log4j-core","version":"2.17.1","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"}"#;
const LIBC: &str = r#"{"type":"library","name":"libc6","version":"2.36-9+deb12u3","purl":"pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=glibc"}"#;
const TF: &str = r#"{"type":"library","name":"tensorflow","version":"2.6.3","cpe":"cpe:2.3:a:google:tensorflow:2.6.3:*:*:*:*:*:*:*"}"#;
const TF_NEW: &str = r#"{"type":"library","name":"tensorflow","version":"2.12.0","cpe":"cpe:2.3:a:google:tensorflow:2.12.0:*:*:*:*:*:*:*"}"#;
const REQUESTS: &str =
    r#"{"type":"library","name":"requests","version":"2.31.0","purl":"pkg:pypi/requests@2.31.0"}"#;

/// Every source: NVD records read the SBOM's platforms, so CPE components are grouped by
/// platform set.
#[test]
fn shared_rematch_equals_each_sbom_alone() {
    check("");
}

/// OSV only: nothing reads the platforms, every component is matched once across SBOMs.
#[test]
fn shared_rematch_without_nvd_equals_each_sbom_alone() {
    check("osv");
}

fn check(fixtures_under: &str) {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("db");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tekigo-vulndb/tests/fixtures")
        .join(fixtures_under);
    tekigo_vulndb::import(
        &db_path,
        &[fixtures],
        &tekigo_vulndb::ImportOptions::default(),
    )
    .unwrap();
    let db = tekigo_vulndb::Db::open(&db_path).unwrap();
    let sboms = [
        sbom(&[LOG4J, LIBC, TF, REQUESTS]),
        sbom(&[REQUESTS, LOG4J_FIXED, LIBC]),
        sbom(&[TF_NEW, LOG4J]),
        sbom(&[LIBC, LOG4J, REQUESTS, TF]),
        sbom(&[]),
    ];
    let refs: Vec<&Sbom> = sboms.iter().collect();
    let shared = tekigo_release::watch::rematch(&db, &refs).unwrap();
    assert_eq!(shared.len(), sboms.len());
    let mut total = 0;
    for (n, s) in sboms.iter().enumerate() {
        let got: Vec<tekigo_vulndb::Finding> = shared
            .findings(n)
            .map(|(i, f)| {
                let mut f = f.clone();
                f.component_index = i;
                f
            })
            .collect();
        let queries: Vec<_> = s.components.iter().map(tekigo_vulnscan::query_of).collect();
        let alone = tekigo_vulndb::scan(&db, &queries).unwrap().findings;
        assert_eq!(got, alone);
        total += alone.len();
    }
    assert!(
        total > 2,
        "the fixtures match these components ({total} findings)"
    );
}
