//! Issue 13's levels as the command shows them: the claimed SL-C without compensating
//! countermeasures, the projected level with drafts, the level with compensating
//! countermeasures, levels resting on not-applicable answers, the 4-1 warning, review
//! required, and the checklist of one lifecycle phase.

mod common;

use common::{copy_tree, ok, repo, stderr, stdout, tekigo};
use serde_json::Value;
use std::path::Path;

fn json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&stdout(&ok(dir, args))).unwrap()
}

/// `assess gaps --format json`, which exits 1 when there are gaps.
fn gaps(dir: &Path, id: &str) -> Vec<Value> {
    let out = tekigo(dir, &["assess", "gaps", id, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    serde_json::from_str::<Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn example(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join(name);
    copy_tree(&repo().join("examples").join(name), &dir);
    (root, dir)
}

fn vector(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a vector: {v}"))
        .iter()
        .map(|l| l.as_u64().unwrap())
        .collect()
}

/// The measurement: every gap of the gateway answered "compensating" raised its
/// SL-C to {2 2 2 2 4 4 2} and `assess gaps` exited 0. Now the claimed level stays, the
/// level with compensating countermeasures rises, and the gaps remain.
#[test]
fn compensating_answers_do_not_raise_a_components_sl_c() {
    let (_root, dir) = example("gateway");
    let id = "gw-100-4-2";
    let before = json(&dir, &["assess", "show", id, "--format", "json"]);
    let before_gaps = gaps(&dir, id);
    assert!(before_gaps.len() > 18, "{}", before_gaps.len());
    for gap in &before_gaps {
        let req = gap["id"].as_str().unwrap();
        ok(
            &dir,
            &[
                "assess",
                "set",
                id,
                req,
                "--status",
                "compensating",
                "--countermeasure",
                "plant firewall provided by the integrator",
            ],
        );
    }
    let after = json(&dir, &["assess", "show", id, "--format", "json"]);
    let claimed = vector(&after["achieved"]);
    assert!(
        claimed
            .iter()
            .zip(vector(&before["achieved"]))
            .all(|(a, b)| *a <= b),
        "{claimed:?}"
    );
    let with = vector(&after["with_compensating"]);
    assert!(with.iter().all(|l| *l >= 2), "{with:?}");
    assert!(
        vector(&after["projected"]).iter().all(|l| *l < 2),
        "{after}"
    );
    assert_eq!(after["progress"]["met"], before["progress"]["met"]);
    let out = tekigo(&dir, &["assess", "gaps", id]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // The text says which vector is which.
    let text = stdout(&ok(&dir, &["assess", "show", id]));
    assert!(
        text.contains("claimed SL-C {0 0 0 0 0 0 0}")
            && text.contains(&format!(
                "with compensating countermeasures {{{}}}",
                with.iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
        "{text}"
    );
}

/// Scan suggestions count only in the projected level until a person confirms them.
#[test]
fn scan_drafts_raise_the_projected_level_only() {
    let (_root, dir) = example("gateway");
    let v = json(&dir, &["assess", "show", "gw-100-4-2", "--format", "json"]);
    assert_eq!(vector(&v["achieved"]), [0; 7]);
    assert_eq!(vector(&v["projected"]), [0, 0, 0, 0, 4, 4, 1]);
    let p = &v["progress"];
    assert!(p["from_scan"].as_u64().unwrap() > 30, "{p}");
    assert!(p["met_projected"].as_u64() > p["met"].as_u64(), "{p}");
    assert!(p.get("confirmed_percent").is_none(), "{p}");
    assert!(gaps(&dir, "gw-100-4-2")
        .iter()
        .any(|g| g["unconfirmed"] == true && g["status"] == "satisfied"));
}

/// tekigo's own RDF 4 rests on CR 5.1 being not applicable: marked in JSON and in both
/// languages, never a plain 4.
#[test]
fn a_level_resting_on_not_applicable_answers_is_marked() {
    let (_root, dir) = example("tekigo-self");
    let v = json(&dir, &["assess", "show", "tekigo-4-2", "--format", "json"]);
    assert_eq!(v["achieved"][4], 4);
    assert_eq!(v["frs"][4]["not_applicable_only"]["achieved"], true);
    assert_eq!(v["frs"][0]["not_applicable_only"]["achieved"], false);
    let en = stdout(&ok(&dir, &["assess", "show", "tekigo-4-2"]));
    assert!(en.contains("{0 0 0 0 4(N/A) 0 0}"), "{en}");
    let ja = stdout(&ok(&dir, &["--lang", "ja", "assess", "show", "tekigo-4-2"]));
    assert!(
        ja.contains("4（適用外のみ）") && !ja.contains("N/A"),
        "{ja}"
    );
}

/// CCSC 4: a 4-2 SL-C claimed without a 4-1 assessment in the project is warned about,
/// until the project has one.
#[test]
fn a_claim_without_a_development_process_assessment_is_warned_about() {
    let (_root, dir) = example("tekigo-self");
    let out = ok(&dir, &["assess", "show", "tekigo-4-2"]);
    assert!(
        stderr(&out).contains("no 62443-4-1 assessment"),
        "{}",
        stderr(&out)
    );
    let ja = ok(&dir, &["--lang", "ja", "assess", "show", "tekigo-4-2"]);
    assert!(
        stderr(&ja).contains("62443-4-1 の評価がありません"),
        "{}",
        stderr(&ja)
    );
    let v = json(&dir, &["assess", "show", "tekigo-4-2", "--format", "json"]);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1, "{v}");
    ok(
        &dir,
        &[
            "assess",
            "new",
            "--standard",
            "62443-4-1",
            "--component",
            "tekigo",
            "--ml-t",
            "2",
            "--id",
            "process",
        ],
    );
    let out = ok(&dir, &["assess", "show", "tekigo-4-2"]);
    assert!(!stderr(&out).contains("62443-4-1"), "{}", stderr(&out));
    let v = json(&dir, &["assess", "show", "tekigo-4-2", "--format", "json"]);
    assert_eq!(v["warnings"], serde_json::json!([]));
}

/// `review: required` in tekigo.yaml: only reviewed answers count for the claim.
#[test]
fn review_required_counts_reviewed_answers_only() {
    let (_root, dir) = example("water-treatment");
    let id = "filter-plc-4-2";
    let before = json(&dir, &["assess", "show", id, "--format", "json"]);
    assert!(vector(&before["achieved"]).iter().any(|l| *l > 0));
    let config = dir.join("tekigo.yaml");
    let original = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{original}review: required\n")).unwrap();
    let after = json(&dir, &["assess", "show", id, "--format", "json"]);
    assert_eq!(after["review"], "required");
    assert_eq!(vector(&after["achieved"]), [0; 7]);
    assert_eq!(after["projected"], before["projected"]);
    let text = stdout(&ok(&dir, &["assess", "show", id]));
    assert!(text.contains("review: required"), "{text}");
    std::fs::write(&config, format!("{original}review: sometimes\n")).unwrap();
    let out = tekigo(&dir, &["assess", "show", id]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("tekigo.yaml"), "{}", stderr(&out));
}

/// `tekigo --lang LANG checklist` of an embedded device at `sl_t` for `phase`.
fn checklist(
    dir: &Path,
    lang: &str,
    sl_t: &str,
    phase: &str,
    format: &str,
) -> std::process::Output {
    let args = [
        "--lang",
        lang,
        "checklist",
        "--standard",
        "62443-4-2",
        "--type",
        "embedded",
        "--sl-t",
        sl_t,
        "--phase",
        phase,
        "--format",
        format,
    ];
    tekigo(dir, &args)
}

/// Seed 003's phases: `checklist --phase 設置` lists what the installer sets.
#[test]
fn the_checklist_of_one_phase() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path();
    let ids = |phase: &str| -> Vec<String> {
        let out = checklist(dir, "en", "4", phase, "json");
        let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let installation = ids("設置");
    for id in ["CR 1.2", "CR 1.5", "CR 1.7", "CR 1.11", "EDR 3.2"] {
        assert!(
            installation.iter().any(|i| i == id),
            "{id}: {installation:?}"
        );
    }
    assert!(
        !installation.iter().any(|i| i == "CR 1.1"),
        "{installation:?}"
    );
    assert_eq!(ids("installation"), installation);
    let sales = ids("sales");
    assert!(sales.iter().any(|i| i == "CR 1.5 RE(1)"), "{sales:?}");
    let text = stdout(&checklist(dir, "ja", "2", "販売", "table"));
    assert!(text.contains("フェーズ 販売"), "{text}");
    let out = checklist(dir, "en", "2", "shipping", "table");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown phase \"shipping\""),
        "{}",
        stderr(&out)
    );
}
