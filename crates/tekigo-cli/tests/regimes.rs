//! Issue 19's acceptance interface, through the binary: the regime catalogs listed as
//! JSON, `assess show --regime` on a fresh project (CR 1.5 and the default-password
//! requirements) and on examples/gateway in English and Japanese.

mod common;

use common::{copy_tree, ok, project, repo, stdout, tekigo};
use serde_json::Value;

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn every_regime_lists_as_a_non_empty_json_array() {
    let dir = tempfile::tempdir().unwrap();
    for id in [
        "eu-cra",
        "jc-star-1",
        "etsi-en-303-645",
        "nistir-8425",
        "uk-psti",
        "sg-cls",
        "sp800-218",
        "csf-2.0",
        "sp800-171r3",
    ] {
        let out = ok(
            dir.path(),
            &["catalog", "list", "--standard", id, "--format", "json"],
        );
        let items = json_of(&out);
        assert!(
            items.as_array().is_some_and(|a| !a.is_empty()),
            "{id}: {items}"
        );
    }
    // `regime list` says each regime's edition, date and source.
    let list = json_of(&ok(dir.path(), &["regime", "list", "--format", "json"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 9);
    for r in list {
        for field in ["edition", "published", "source", "licence"] {
            assert!(r[field].as_str().is_some_and(|v| !v.is_empty()), "{r}");
        }
    }
}

/// (status, via) of requirement `id` in the regime view of assessment A.
fn status_of(dir: &std::path::Path, regime: &str, id: &str) -> (String, Vec<String>) {
    let v = json_of(&ok(
        dir,
        &[
            "assess", "show", "A", "--regime", regime, "--format", "json",
        ],
    ));
    assert_eq!(v["regime"]["id"], regime);
    let r = v["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in the {regime} view"));
    let via = r["via"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    (r["status"].as_str().unwrap().to_string(), via)
}

#[test]
fn default_passwords_follow_cr_1_5() {
    let root = project("en", "GW-100");
    let dir = root.path();
    let set = |id: &str, status: &str| {
        ok(
            dir,
            &[
                "assess", "set", "A", id, "--status", status, "--reason", "checked",
            ],
        )
    };
    set("CR 1.5", "not-satisfied");
    set("CR 1.7", "satisfied");
    let cases = [
        ("etsi-en-303-645", "5.1-1"),
        ("uk-psti", "PSTI 1"),
        ("jc-star-1", "S1.1-02"),
    ];
    for (regime, id) in cases {
        let (status, via) = status_of(dir, regime, id);
        assert_eq!(status, "not-met", "{regime} {id}");
        assert!(
            via.contains(&"CR 1.5".to_string()),
            "{regime} {id}: {via:?}"
        );
    }
    set("CR 1.5", "satisfied");
    for (regime, id) in cases {
        assert_eq!(status_of(dir, regime, id).0, "met", "{regime} {id}");
    }
    // A requirement no 62443 item covers is answered directly, in the same assessment.
    assert_eq!(status_of(dir, "etsi-en-303-645", "6-1").0, "not-assessed");
    set("6-1", "satisfied");
    assert_eq!(
        status_of(dir, "etsi-en-303-645", "6-1"),
        ("met".to_string(), vec!["6-1".to_string()])
    );
    // An unknown regime is an error (exit 2) that names the known ones.
    let out = tekigo(dir, &["assess", "show", "A", "--regime", "eu-crx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("eu-cra"));
}

#[test]
fn cra_view_of_the_gateway_example_in_english_and_japanese() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("gateway");
    copy_tree(&repo().join("examples/gateway"), &dir);
    let en = stdout(&ok(
        &dir,
        &[
            "--lang",
            "en",
            "assess",
            "show",
            "gw-100-4-2",
            "--regime",
            "eu-cra",
        ],
    ));
    assert!(en.contains("EU Cyber Resilience Act"), "{en}");
    assert!(
        en.contains("CRA I.2(d)") && en.contains("31 requirements"),
        "{en}"
    );
    let ja = stdout(&ok(
        &dir,
        &[
            "--lang",
            "ja",
            "assess",
            "show",
            "gw-100-4-2",
            "--regime",
            "eu-cra",
        ],
    ));
    assert!(ja.contains("EU サイバーレジリエンス法"), "{ja}");
    assert!(
        ja.contains("要件 31 件") && ja.contains("直接評価が必要"),
        "{ja}"
    );
    assert!(
        !ja.contains("not assessed") && !ja.contains("covered"),
        "{ja}"
    );
    // The JSON carries the evidence of the answers a requirement rests on.
    let v = json_of(&ok(
        &dir,
        &[
            "assess",
            "show",
            "gw-100-4-2",
            "--regime",
            "eu-cra",
            "--format",
            "json",
        ],
    ));
    let d = v["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "CRA I.2(d)")
        .unwrap();
    assert!(d["basis"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["evidence"].as_array().is_some_and(|e| !e.is_empty())));
}
