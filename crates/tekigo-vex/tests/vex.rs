//! Triage storage, lookups, OpenVEX and CSAF export validated against the official schemas,
//! and imports of real and spec-shaped VEX documents.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tekigo_vex::{ComponentRef, DocumentMeta, Justification, Record, State, Triage};
use time::macros::datetime;

#[path = "../../../tests/python.rs"]
mod python;

fn here(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(rel)
}

fn record(vuln: &str, purl: &str, state: State) -> Record {
    Record {
        vulnerability: vuln.to_string(),
        aliases: Vec::new(),
        component: ComponentRef::from_purl(purl),
        any_version: false,
        state,
        justification: (state == State::NotAffected)
            .then_some(Justification::VulnerableCodeNotInExecutePath),
        impact: None,
        action: (state == State::Affected).then(|| "Update to the fixed release.".to_string()),
        note: None,
        author: "Aiko Tanaka <aiko@example.com>".to_string(),
        timestamp: datetime!(2024-05-01 09:00 UTC),
    }
}

fn sample() -> Vec<Record> {
    let mut openssl = record(
        "CVE-2023-0286",
        "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=armhf",
        State::NotAffected,
    );
    openssl.aliases = vec!["GHSA-x4qr-2fvf-3mr5".into()];
    openssl.note = Some("X.400 addresses are never parsed.".into());
    openssl.impact = Some("The gateway never calls GENERAL_NAME_cmp on CRLs.".into());
    let mut kernel = record("CVE-2022-0847", "pkg:generic/linux@5.10.120", State::Fixed);
    kernel.component = ComponentRef {
        purl: None,
        name: Some("linux".into()),
        version: Some("5.10.120".into()),
    };
    let mut fieldbus = record("CVE-2024-9999", "pkg:generic/x@1", State::NotAffected);
    fieldbus.component = ComponentRef {
        purl: None,
        name: Some("fieldbus-stack".into()),
        version: None,
    };
    fieldbus.justification = None;
    fieldbus.impact = Some("Only reachable from the isolated fieldbus segment.".into());
    let mut jinja_any = record(
        "GHSA-h5c8-rqwp-cp95",
        "pkg:pypi/jinja2@3.1.2",
        State::NotAffected,
    );
    jinja_any.any_version = true;
    jinja_any.aliases = vec!["CVE-2024-22195".into()];
    jinja_any.justification = Some(Justification::VulnerableCodeCannotBeControlledByAdversary);
    vec![
        record("CVE-2024-3651", "pkg:pypi/idna@3.6", State::Affected),
        openssl,
        kernel,
        record(
            "CVE-2023-45803",
            "pkg:pypi/urllib3@1.26.5",
            State::UnderInvestigation,
        ),
        fieldbus,
        jinja_any,
        record("CVE-2024-3651", "pkg:pypi/idna@3.5", State::Fixed),
    ]
}

fn meta() -> DocumentMeta {
    DocumentMeta {
        id: "urn:uuid:8c1f6b36-0e7b-4c39-9a49-3f0d7f0c2a11".into(),
        author: "Example Controls PSIRT".into(),
        publisher_namespace: "https://psirt.example.com".into(),
        title: "GW-100 4.2.1 vulnerability exploitability".into(),
        timestamp: datetime!(2024-05-02 12:00 +09:00),
        version: 2,
    }
}

#[test]
fn triage_round_trips_through_the_project_file_sorted_and_stable() {
    let dir = tempfile::tempdir().unwrap();
    let mut triage = Triage::load(dir.path()).unwrap();
    assert!(triage.records().is_empty());
    for r in sample() {
        assert_eq!(triage.set(r).unwrap(), None);
    }
    triage.save().unwrap();
    let path = dir.path().join("vex/triage.yaml");
    let first = std::fs::read_to_string(&path).unwrap();
    assert!(first.starts_with("# Vulnerability triage (VEX)"), "{first}");

    let loaded = Triage::load(dir.path()).unwrap();
    let ids: Vec<&str> = loaded
        .records()
        .iter()
        .map(|r| r.vulnerability.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "CVE-2022-0847",
            "CVE-2023-0286",
            "CVE-2023-45803",
            "CVE-2024-3651",
            "CVE-2024-3651",
            "CVE-2024-9999",
            "GHSA-h5c8-rqwp-cp95"
        ]
    );
    let mut expected = sample();
    expected.sort_by_key(|r| r.vulnerability.clone());
    for r in &expected {
        assert!(loaded.records().contains(r), "lost {r:?}");
    }

    // The same records set in another order write the same bytes.
    let other = tempfile::tempdir().unwrap();
    let mut reversed = Triage::load(other.path()).unwrap();
    for r in sample().into_iter().rev() {
        reversed.set(r).unwrap();
    }
    reversed.save().unwrap();
    assert_eq!(
        std::fs::read_to_string(other.path().join("vex/triage.yaml")).unwrap(),
        first
    );

    // Replacing a decision keeps one record per (vulnerability, component).
    let mut triage = loaded;
    let mut decided = record(
        "cve-2023-45803",
        "pkg:pypi/urllib3@1.26.5",
        State::NotAffected,
    );
    decided.note = Some("Redirects are disabled.".into());
    let old = triage
        .set(decided)
        .unwrap()
        .expect("replaces the open record");
    assert_eq!(old.state, State::UnderInvestigation);
    assert_eq!(triage.records().len(), 7);
    triage.save().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("vex"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["triage.yaml"], "no temporary files left behind");
}

#[test]
fn lookups_carry_triage_across_rescans() {
    let triage = Triage::from_records(sample()).unwrap();
    let idna36 = ComponentRef::from_purl("pkg:pypi/idna@3.6");
    assert_eq!(
        triage.lookup(&["CVE-2024-3651"], &idna36).unwrap().state,
        State::Affected
    );
    // Case-insensitive ids; aliases find the record too.
    assert_eq!(
        triage.lookup(&["cve-2024-3651"], &idna36).unwrap().state,
        State::Affected
    );
    let openssl = ComponentRef::from_purl(
        "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
    );
    let r = triage
        .lookup(&["OSV-1", "GHSA-X4QR-2FVF-3MR5"], &openssl)
        .expect("alias and other qualifiers");
    assert_eq!(r.vulnerability, "CVE-2023-0286");
    // Another version is another decision.
    assert_eq!(
        triage
            .lookup(
                &["CVE-2024-3651"],
                &ComponentRef::from_purl("pkg:pypi/idna@3.5")
            )
            .unwrap()
            .state,
        State::Fixed
    );
    assert!(triage
        .lookup(
            &["CVE-2024-3651"],
            &ComponentRef::from_purl("pkg:pypi/idna@3.7")
        )
        .is_none());
    assert!(triage
        .lookup(
            &["CVE-2023-0286"],
            &ComponentRef::from_purl("pkg:deb/debian/openssl@3.0.13-1")
        )
        .is_none());
    // ...unless the record is for any version.
    let jinja = ComponentRef::from_purl("pkg:pypi/Jinja2@3.1.4");
    assert_eq!(
        triage
            .lookup(&["CVE-2024-22195"], &jinja)
            .unwrap()
            .vulnerability,
        "GHSA-h5c8-rqwp-cp95"
    );
    // Components without PURL: by name and version, or by name for version-less records.
    let kernel = ComponentRef {
        purl: None,
        name: Some("Linux".into()),
        version: Some("5.10.120".into()),
    };
    assert_eq!(
        triage.lookup(&["CVE-2022-0847"], &kernel).unwrap().state,
        State::Fixed
    );
    let newer = ComponentRef {
        version: Some("5.10.121".into()),
        ..kernel.clone()
    };
    assert!(triage.lookup(&["CVE-2022-0847"], &newer).is_none());
    let fieldbus = ComponentRef {
        purl: None,
        name: Some("fieldbus-stack".into()),
        version: Some("2.8".into()),
    };
    assert!(triage.lookup(&["CVE-2024-9999"], &fieldbus).is_some());
    // An SBOM component converts directly.
    let sbom = tekigo_sbom::Sbom::from_slice(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"idna","version":"3.6","purl":"pkg:pypi/idna@3.6"}]}"#,
        "s.json",
    )
    .unwrap();
    let c = ComponentRef::from(&sbom.components[0]);
    assert!(triage.lookup(&["CVE-2024-3651"], &c).is_some());
    assert!(triage.lookup(&["CVE-2099-0001"], &c).is_none());
}

#[test]
fn a_specific_record_wins_over_an_any_version_one() {
    let mut any = record("CVE-2024-1", "pkg:npm/lodash@4.17.20", State::NotAffected);
    any.any_version = true;
    let exact = record("CVE-2024-1", "pkg:npm/lodash@4.17.21", State::Fixed);
    let triage = Triage::from_records(vec![any, exact]).unwrap();
    assert_eq!(
        triage
            .lookup(
                &["CVE-2024-1"],
                &ComponentRef::from_purl("pkg:npm/lodash@4.17.21")
            )
            .unwrap()
            .state,
        State::Fixed
    );
    assert_eq!(
        triage
            .lookup(
                &["CVE-2024-1"],
                &ComponentRef::from_purl("pkg:npm/lodash@4.17.19")
            )
            .unwrap()
            .state,
        State::NotAffected
    );
}

fn load_err(yaml: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("vex")).unwrap();
    std::fs::write(dir.path().join("vex/triage.yaml"), yaml).unwrap();
    Triage::load(dir.path())
        .map(|t| panic!("loaded {:?}", t.records()))
        .unwrap_err()
        .to_string()
}

const GOOD: &str = "  - vulnerability: CVE-2024-1\n    component:\n      purl: pkg:pypi/a@1\n    state: fixed\n    author: me\n    timestamp: 2024-01-01T00:00:00Z\n";

#[test]
fn broken_triage_files_name_file_line_and_field() {
    let e = load_err(&format!("version: 1\nrecords:\n{GOOD}  - vulnerability: CVE-2024-2\n    component:\n      name: fw\n    state: not_affected\n    author: me\n    timestamp: 2024-01-01T00:00:00Z\n"));
    assert!(
        e.contains("vex/triage.yaml:9: records[1].justification: not_affected needs"),
        "{e}"
    );

    let e = load_err(&format!("version: 1\nrecords:\n{GOOD}  - vulnerability: CVE-2024-3\n    component: {{}}\n    state: fixed\n    author: me\n    timestamp: 2024-01-01T00:00:00Z\n"));
    assert!(
        e.contains(":9: records[1].component: needs a purl or a name"),
        "{e}"
    );

    let e = load_err(&format!("version: 1\nrecords:\n{GOOD}{GOOD}"));
    assert!(
        e.contains(":9: records[1]: a second record for CVE-2024-1"),
        "{e}"
    );

    let e = load_err("version: 1\nrecords:\n  - vulnerability: CVE-1\n    state: maybe\n");
    assert!(
        e.contains("vex/triage.yaml:4") && e.contains("unknown variant `maybe`"),
        "{e}"
    );

    let e = load_err(&format!("version: 1\nrecords:\n{GOOD}    colour: blue\n"));
    assert!(
        e.contains("vex/triage.yaml:9") && e.contains("unknown field `colour`"),
        "{e}"
    );

    let e = load_err("version: 2\nrecords: []\n");
    assert!(e.contains("version: version 2 is not supported"), "{e}");

    let e = load_err(&format!(
        "version: 1\nrecords:\n{}",
        GOOD.replace("2024-01-01T00:00:00Z", "yesterday")
    ));
    assert!(
        e.contains("vex/triage.yaml:") && e.contains("timestamp"),
        "{e}"
    );
}

#[test]
fn set_refuses_incomplete_decisions() {
    let mut t = Triage::default();
    let mut affected = record("CVE-1", "pkg:pypi/a@1", State::Affected);
    affected.action = None;
    assert!(t
        .set(affected)
        .unwrap_err()
        .to_string()
        .contains("action: affected needs an action statement"));
    let mut fixed = record("CVE-1", "pkg:pypi/a@1", State::Fixed);
    fixed.justification = Some(Justification::ComponentNotPresent);
    assert!(t
        .set(fixed)
        .unwrap_err()
        .to_string()
        .contains("only not_affected takes a justification"));
    let bad_purl = record("CVE-1", "pkg:pypi/a@1", State::Fixed);
    let bad_purl = Record {
        component: ComponentRef {
            purl: Some("pypi/a".into()),
            ..bad_purl.component
        },
        ..bad_purl
    };
    assert!(t
        .set(bad_purl)
        .unwrap_err()
        .to_string()
        .contains("component.purl"));
    assert!(t.records().is_empty());
    assert!(t.save().is_err(), "no project path to save to");
}

/// Runs the official-schema validator over several documents at once (one Python start);
/// returns the errors of each. Panics if it cannot run: no silent skip.
fn schema_errors(kind: &str, docs: &[&Value]) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = python::python();
    cmd.arg(here("validate_schema.py")).arg(kind);
    for (i, doc) in docs.iter().enumerate() {
        let file = dir.path().join(format!("doc{i}.json"));
        std::fs::write(&file, serde_json::to_vec_pretty(doc).unwrap()).unwrap();
        cmd.arg(file);
    }
    let out = cmd
        .output()
        .expect("python3 runs (scripts/setup/10-python.sh installs jsonschema)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !matches!(out.status.code(), Some(0 | 1)) {
        panic!(
            "validator failed to run: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut errors = vec![Vec::new(); docs.len()];
    for line in stdout.lines() {
        let (index, message) = line.split_once('\t').expect("INDEX<TAB>error");
        errors[index.parse::<usize>().unwrap()].push(message.to_string());
    }
    assert_eq!(
        out.status.code() == Some(0),
        errors.iter().all(Vec::is_empty)
    );
    errors
}

#[test]
fn openvex_export_is_valid_against_the_official_schema() {
    let doc = tekigo_vex::openvex::export(&sample(), &meta()).unwrap();
    let statements = doc["statements"].as_array().unwrap();
    assert_eq!(statements.len(), 7);
    assert_eq!(doc["@context"], "https://openvex.dev/ns/v0.2.0");
    assert_eq!(doc["timestamp"], "2024-05-02T12:00:00+09:00");
    let openssl = &statements[1];
    assert_eq!(
        openssl["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert!(
        openssl.get("impact_statement").is_none(),
        "schema: justification XOR impact"
    );
    assert!(openssl["status_notes"]
        .as_str()
        .unwrap()
        .contains("GENERAL_NAME_cmp"));
    assert_eq!(
        statements[2]["products"][0]["@id"],
        "pkg:generic/linux@5.10.120"
    );
    assert_eq!(
        statements[4]["impact_statement"],
        "Only reachable from the isolated fieldbus segment."
    );

    // Negative controls: the validator does reject what the schema forbids.
    let mut no_action = doc.clone();
    no_action["statements"][0]
        .as_object_mut()
        .unwrap()
        .remove("action_statement");
    let mut both = doc.clone();
    both["statements"][1]["impact_statement"] = "both".into();
    let mut bad_time = doc.clone();
    bad_time["timestamp"] = "yesterday".into();
    let errors = schema_errors("openvex", &[&doc, &no_action, &both, &bad_time]);
    assert_eq!(errors[0], Vec::<String>::new());
    assert!(
        errors[1].iter().any(|e| e.contains("action_statement")),
        "{:?}",
        errors[1]
    );
    assert!(!errors[2].is_empty());
    assert!(
        errors[3].iter().any(|e| e.contains("date-time")),
        "format is checked: {:?}",
        errors[3]
    );
}

#[test]
fn csaf_export_is_valid_against_the_official_schema_and_mandatory_tests() {
    let doc = tekigo_vex::csaf::export(&sample(), &meta()).unwrap();
    assert_eq!(csaf_mandatory_problems(&doc), Vec::<String>::new());
    assert_eq!(doc["document"]["category"], "csaf_vex");
    let products = doc["product_tree"]["full_product_names"]
        .as_array()
        .unwrap();
    assert_eq!(products.len(), 7, "one product per distinct component");
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 6, "CVE-2024-3651 groups two components");
    let idna = vulns.iter().find(|v| v["cve"] == "CVE-2024-3651").unwrap();
    assert_eq!(
        idna["product_status"]["known_affected"],
        serde_json::json!(["CSAFPID-0001"])
    );
    assert_eq!(
        idna["product_status"]["fixed"],
        serde_json::json!(["CSAFPID-0007"])
    );
    let jinja = vulns
        .iter()
        .find(|v| v["cve"] == "CVE-2024-22195")
        .expect("the CVE alias becomes cve");
    assert_eq!(jinja["ids"][0]["system_name"], "GHSA");

    // The schema, with negative controls...
    let mut no_category = doc.clone();
    no_category["document"]["category"] = "".into();
    let mut empty_list = doc.clone();
    empty_list["vulnerabilities"][0]["product_status"]["known_affected"] = serde_json::json!([]);
    let mut bad_cvss = doc.clone();
    bad_cvss["vulnerabilities"][0]["scores"] = serde_json::json!([{"products": ["CSAFPID-0001"], "cvss_v3": {"version": "3.1", "vectorString": "nonsense", "baseScore": 11, "baseSeverity": "HUGE"}}]);
    let errors = schema_errors("csaf", &[&doc, &no_category, &empty_list, &bad_cvss]);
    assert_eq!(errors[0], Vec::<String>::new());
    assert!(errors[1..].iter().all(|e| !e.is_empty()), "{errors:?}");
    assert!(
        errors[3].iter().any(|e| e.contains("cvss_v3")),
        "the FIRST CVSS schema is used: {:?}",
        errors[3]
    );
    // ...and for each mandatory test implemented here.
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: [Mutation; 7] = [
        ("6.1.1", |d| {
            d["vulnerabilities"][0]["product_status"]["known_affected"][0] = "CSAFPID-9999".into()
        }),
        ("6.1.2", |d| {
            d["product_tree"]["full_product_names"][1]["product_id"] = "CSAFPID-0001".into()
        }),
        ("6.1.6", |d| {
            d["vulnerabilities"][0]["product_status"]["fixed"] = serde_json::json!(["CSAFPID-0001"])
        }),
        ("6.1.16", |d| {
            d["document"]["tracking"]["version"] = "3".into()
        }),
        ("6.1.27.9", |d| {
            d["vulnerabilities"][1]
                .as_object_mut()
                .unwrap()
                .remove("threats");
            d["vulnerabilities"][1]
                .as_object_mut()
                .unwrap()
                .remove("flags");
        }),
        ("6.1.27.10", |d| {
            d["vulnerabilities"][0]
                .as_object_mut()
                .unwrap()
                .remove("remediations");
        }),
        ("6.1.27.5", |d| {
            d["vulnerabilities"][2]
                .as_object_mut()
                .unwrap()
                .remove("notes");
        }),
    ];
    for (test, mutate) in mutations {
        let mut broken = doc.clone();
        mutate(&mut broken);
        let problems = csaf_mandatory_problems(&broken);
        assert!(
            problems.iter().any(|p| p.starts_with(test)),
            "{test} not detected: {problems:?}"
        );
    }
}

/// The CSAF 2.0 mandatory tests (section 6.1) that concern what tekigo writes, and the
/// csaf_vex profile tests (6.1.27.x).
fn csaf_mandatory_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let tree = &doc["product_tree"];
    let mut products: Vec<&Value> = tree["full_product_names"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    products.extend(
        tree["relationships"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| &r["full_product_name"]),
    );
    let mut branches: Vec<&Value> = tree["branches"].as_array().into_iter().flatten().collect();
    while let Some(b) = branches.pop() {
        products.extend(b.get("product"));
        branches.extend(b["branches"].as_array().into_iter().flatten());
    }
    let defined: Vec<String> = products
        .iter()
        .map(|p| p["product_id"].as_str().unwrap_or("").to_string())
        .collect();
    let unique: HashSet<&String> = defined.iter().collect();
    if unique.len() != defined.len() {
        problems.push("6.1.2 multiple definition of product id".to_string());
    }
    let tracking = &doc["document"]["tracking"];
    let last = tracking["revision_history"]
        .as_array()
        .and_then(|h| h.last())
        .map(|r| r["number"].clone());
    if last.as_ref() != Some(&tracking["version"]) {
        problems.push("6.1.16 latest revision number differs from tracking.version".to_string());
    }
    for (i, v) in doc["vulnerabilities"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let status = &v["product_status"];
        let list = |name: &str| -> Vec<String> {
            status[name]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str())
                .map(str::to_string)
                .collect()
        };
        let mut referenced: Vec<String> = Vec::new();
        let groups = [
            list("fixed"),
            list("known_affected"),
            list("known_not_affected"),
            list("under_investigation"),
        ];
        if groups.iter().all(Vec::is_empty) {
            problems.push(format!(
                "6.1.27.7 vulnerabilities[{i}] has no VEX product status"
            ));
        }
        for (a, ga) in groups.iter().enumerate() {
            for gb in groups.iter().skip(a + 1) {
                if ga.iter().any(|p| gb.contains(p)) {
                    problems.push(format!(
                        "6.1.6 vulnerabilities[{i}] contradicting product status"
                    ));
                }
            }
            referenced.extend(ga.iter().cloned());
        }
        for key in ["flags", "threats", "remediations"] {
            for item in v[key].as_array().into_iter().flatten() {
                referenced.extend(
                    item["product_ids"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|x| x.as_str())
                        .map(str::to_string),
                );
            }
        }
        for pid in &referenced {
            if !defined.contains(pid) {
                problems.push(format!(
                    "6.1.1 vulnerabilities[{i}] refers to undefined {pid}"
                ));
            }
        }
        if v["notes"].as_array().is_none_or(Vec::is_empty) {
            problems.push(format!("6.1.27.5 vulnerabilities[{i}] has no notes"));
        }
        if v.get("cve").is_none() && v.get("ids").is_none() {
            problems.push(format!(
                "6.1.27.8 vulnerabilities[{i}] has neither cve nor ids"
            ));
        }
        let covered = |key: &str, pid: &str, category: Option<&str>| {
            v[key].as_array().into_iter().flatten().any(|item| {
                category.is_none_or(|c| item["category"] == c)
                    && item["product_ids"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|x| x == pid)
            })
        };
        for pid in list("known_not_affected") {
            if !covered("flags", &pid, None) && !covered("threats", &pid, Some("impact")) {
                problems.push(format!(
                    "6.1.27.9 vulnerabilities[{i}] {pid} has no impact statement"
                ));
            }
        }
        for pid in list("known_affected") {
            if !covered("remediations", &pid, None) {
                problems.push(format!(
                    "6.1.27.10 vulnerabilities[{i}] {pid} has no action statement"
                ));
            }
        }
    }
    problems
}

#[test]
fn exports_read_back_as_the_same_decisions() {
    let records = sample();
    let openvex = tekigo_vex::openvex::export(&records, &meta()).unwrap();
    let back =
        tekigo_vex::import::from_slice(openvex.to_string().as_bytes(), "x.openvex.json").unwrap();
    assert_eq!(back.skipped, Vec::<String>::new());
    assert_eq!(back.records.len(), records.len());
    for (a, b) in records.iter().zip(&back.records) {
        assert_eq!(
            (
                &a.vulnerability,
                &a.aliases,
                a.state,
                a.justification,
                &a.action,
                a.timestamp
            ),
            (
                &b.vulnerability,
                &b.aliases,
                b.state,
                b.justification,
                &b.action,
                b.timestamp
            )
        );
        assert_eq!(b.author, "Example Controls PSIRT");
        // Components without PURL come back as generic PURLs naming the same package.
        assert_eq!(b.component.name, a.component.name, "{:?}", b.component);
    }
    let csaf = tekigo_vex::csaf::export(&records, &meta()).unwrap();
    let back = tekigo_vex::import::from_slice(csaf.to_string().as_bytes(), "x.csaf.json").unwrap();
    assert_eq!(back.skipped, Vec::<String>::new());
    assert_eq!(back.records.len(), records.len());
    for a in &records {
        let b = back
            .records
            .iter()
            .find(|b| {
                b.vulnerability.eq_ignore_ascii_case(&a.vulnerability)
                    || a.aliases.contains(&b.vulnerability)
            })
            .unwrap();
        let b = back
            .records
            .iter()
            .filter(|x| x.vulnerability == b.vulnerability)
            .find(|x| {
                x.component.name == a.component.name && x.component.version == a.component.version
            })
            .unwrap_or_else(|| panic!("{a:?} missing"));
        assert_eq!(
            (a.state, a.justification, &a.action),
            (b.state, b.justification, &b.action)
        );
    }
}

#[test]
fn imports_the_official_csaf_vex_example() {
    let imported =
        tekigo_vex::import::from_path(&here("fixtures/csaf-2022-evd-uc-01-na-001.json")).unwrap();
    assert_eq!(imported.skipped, Vec::<String>::new());
    let [r] = imported.records.as_slice() else {
        panic!("{imported:?}")
    };
    assert_eq!(r.vulnerability, "CVE-2021-44228");
    assert_eq!(r.state, State::NotAffected);
    assert_eq!(r.justification, None);
    assert_eq!(
        r.impact.as_deref(),
        Some("Class with vulnerable code was removed before shipping.")
    );
    assert_eq!(r.component.name.as_deref(), Some("Example Company ABC 4.2"));
    assert_eq!(r.author, "Example Company ProductCERT");
    assert_eq!(r.timestamp, datetime!(2022-03-03 11:00 UTC));
    // The example itself passes the official schema: the validator accepts real documents.
    let doc: Value = serde_json::from_slice(
        &std::fs::read(here("fixtures/csaf-2022-evd-uc-01-na-001.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(schema_errors("csaf", &[&doc]), [Vec::<String>::new()]);
    assert_eq!(csaf_mandatory_problems(&doc), Vec::<String>::new());
}

#[test]
fn imports_openvex_with_subcomponents_and_skips_what_is_incomplete() {
    let imported = tekigo_vex::import::from_path(&here("fixtures/openvex-0.2.json")).unwrap();
    assert_eq!(imported.records.len(), 4);
    let [skipped] = imported.skipped.as_slice() else {
        panic!("{:?}", imported.skipped)
    };
    assert!(skipped.contains("openvex-0.2.json: statements[4].products[0]: action: affected needs an action statement"), "{skipped}");
    let openssl = &imported.records[0];
    assert_eq!(
        openssl.component.purl.as_deref(),
        Some("pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=armhf")
    );
    assert_eq!(openssl.aliases, ["GHSA-x4qr-2fvf-3mr5"]);
    assert_eq!(
        openssl.timestamp,
        datetime!(2024-05-10 08:00 +09:00),
        "document timestamp"
    );
    assert_eq!(openssl.author, "Example Controls PSIRT <psirt@example.com>");
    assert_eq!(
        imported.records[1].timestamp,
        datetime!(2024-05-11 10:30 UTC),
        "statement timestamp"
    );
    assert_eq!(
        imported.records[1].action.as_deref(),
        Some("Update idna to 3.7 or later.")
    );
    assert_eq!(
        imported.records[3].impact.as_deref(),
        Some("The feature is disabled in the shipped configuration.")
    );
    let triage = Triage::from_records(imported.records).unwrap();
    assert!(triage
        .lookup(
            &["CVE-2024-3651"],
            &ComponentRef::from_purl("pkg:pypi/idna@3.6")
        )
        .is_some());
}

#[test]
fn imports_cyclonedx_vex_analysis() {
    let imported = tekigo_vex::import::from_path(&here("fixtures/cyclonedx-1.5-vex.json")).unwrap();
    assert_eq!(imported.records.len(), 3, "{imported:?}");
    let [skipped] = imported.skipped.as_slice() else {
        panic!("{:?}", imported.skipped)
    };
    assert!(
        skipped.contains("vulnerabilities[1].affects[1].ref: \"missing-ref\" is no component"),
        "{skipped}"
    );
    let idna = &imported.records[0];
    assert_eq!(
        (idna.state, idna.component.purl.as_deref()),
        (State::Affected, Some("pkg:pypi/idna@3.6"))
    );
    assert_eq!(
        idna.action.as_deref(),
        Some("Response: update. Update idna to 3.7.")
    );
    assert_eq!(idna.aliases, ["GHSA-jjg7-2v4v-x38h"]);
    assert_eq!(idna.author, "Example Controls PSIRT");
    let fieldbus = &imported.records[1];
    assert_eq!(fieldbus.component.name.as_deref(), Some("fieldbus-stack"));
    assert_eq!(
        fieldbus.justification,
        Some(Justification::InlineMitigationsAlreadyExist)
    );
    assert_eq!(
        fieldbus.timestamp,
        datetime!(2024-06-01 0:00 UTC),
        "falls back to metadata.timestamp"
    );
    assert_eq!(imported.records[2].state, State::Fixed);
}

#[test]
fn broken_vex_documents_name_file_and_field() {
    let e = tekigo_vex::import::from_slice(
        b"{\n\"@context\": \"https://openvex.dev/ns/v0.2.0\",\n\"statements\": [}",
        "v.json",
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("v.json:3: "), "{e}");
    let e = tekigo_vex::import::from_slice(br#"{"@context":"https://openvex.dev/ns/v0.2.0","author":"a","timestamp":"2024-01-01T00:00:00Z","statements":[{"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:npm/a@1"}],"status":"maybe"}]}"#, "v.json").unwrap_err().to_string();
    assert_eq!(e, "v.json: statements[0].status: unknown status \"maybe\"");
    let e = tekigo_vex::import::from_slice(br#"{"@context":"https://openvex.dev/ns/v0.2.0","author":"a","statements":[{"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:npm/a@1"}],"status":"fixed"}]}"#, "v.json").unwrap_err().to_string();
    assert!(e.contains("statements[0].timestamp"), "{e}");
    let e = tekigo_vex::import::from_slice(br#"{"document":{"csaf_version":"2.0","publisher":{"name":"p"},"tracking":{"current_release_date":"2024-01-01T00:00:00Z"}},"vulnerabilities":[{"product_status":{"fixed":["X"]}}]}"#, "c.json").unwrap_err().to_string();
    assert_eq!(
        e,
        "c.json: vulnerabilities[0]: neither cve nor ids names the vulnerability"
    );
    let e = tekigo_vex::import::from_slice(b"{\"hello\": 1}", "h.json")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not an OpenVEX"), "{e}");
}
