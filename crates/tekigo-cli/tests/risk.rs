//! `tekigo risk ...` as the acceptance checks call it, inside a copy of the example project
//! (examples/water-treatment) and inside broken copies of it.

#[path = "../../tekigo-report/tests/tools/mod.rs"]
mod tools;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/water-treatment")
}

fn tekigo(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tekigo"))
        .args(args)
        .current_dir(dir)
        .env("TEKIGO_DATA_DIR", dir.join(".data"))
        .env_remove("TEKIGO_CATALOG_DIR")
        .env_remove("TEKIGO_LANG")
        .output()
        .expect("run tekigo")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of the example project, optionally with its model text changed.
fn project(change: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    copy_dir(&example(), root.path());
    let model = root.path().join("risk/system.yaml");
    let text = std::fs::read_to_string(&model).unwrap();
    std::fs::write(&model, change(text)).unwrap();
    root
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn check_passes_on_the_example_and_lists_violations_with_rule_and_element() {
    let p = project(|t| t);
    let out = tekigo(p.path(), &["risk", "check", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out), serde_json::json!([]));
    let out = tekigo(p.path(), &["risk", "check"]);
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("consistent"));

    // The maintenance laptop also listed in the supervisory zone: in two zones, and a
    // temporarily connected device among permanent ones.
    let p = project(|t| {
        t.replace(
            "assets: [scada-server, hmi-1, eng-ws, historian]",
            "assets: [scada-server, hmi-1, eng-ws, historian, maint-laptop]",
        )
    });
    let out = tekigo(p.path(), &["risk", "check", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let v = json(&out);
    let pairs: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["rule"].as_str().unwrap().into(),
                x["element"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("asset-in-one-zone".to_string(), "maint-laptop".to_string()),
            ("temporary-separated".to_string(), "supervisory".to_string())
        ]
    );
    assert_eq!(v[1]["zcr"], "ZCR 3.4");
    assert!(v[0]["message"]["ja"]
        .as_str()
        .unwrap()
        .contains("maint-laptop"));
    let out = tekigo(p.path(), &["--lang", "ja", "risk", "check"]);
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("一時接続デバイス"));
}

#[test]
fn unreadable_input_exits_2_naming_file_and_line() {
    let p = project(|t| t.replace("    level: 3\n", "    level: three\n"));
    let out = tekigo(p.path(), &["risk", "check", "--format", "json"]);
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    let text = std::fs::read_to_string(p.path().join("risk/system.yaml")).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("level: three"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("risk/system.yaml:{line}:")), "{err}");

    let p = project(|t| t);
    std::fs::remove_file(p.path().join("risk/system.yaml")).unwrap();
    let out = tekigo(p.path(), &["risk", "targets", "--format", "json"]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("risk/system.yaml"));

    let outside = tempfile::tempdir().unwrap();
    let out = tekigo(outside.path(), &["risk", "check"]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("tekigo.yaml"));
}

#[test]
fn targets_prints_every_zone_and_conduit_with_sl_t_and_steps() {
    let p = project(|t| t);
    let out = tekigo(p.path(), &["risk", "targets", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let zones = v["zones"].as_array().unwrap();
    let conduits = v["conduits"].as_array().unwrap();
    assert_eq!((zones.len(), conduits.len()), (9, 8));
    for t in zones.iter().chain(conduits) {
        let sl = t["sl_t"].as_array().unwrap();
        assert_eq!(sl.len(), 7, "{}", t["id"]);
        assert!(sl.iter().all(|l| l.as_u64().is_some_and(|l| l <= 4)));
    }
    let control = zones.iter().find(|z| z["id"] == "control").unwrap();
    assert_eq!(control["sl_t"], serde_json::json!([3, 3, 3, 0, 2, 2, 0]));
    let step = &control["steps"][0];
    assert_eq!(step["kind"], "risk");
    assert_eq!(step["risk"], "R6");
    assert_eq!(step["cell"], "high");
    assert_eq!(step["row_sl"], 3);
    let safety = zones.iter().find(|z| z["id"] == "safety").unwrap();
    assert_eq!(safety["sl_t"], serde_json::json!([3, 3, 3, 1, 3, 2, 3]));
    assert_eq!(safety["derived"], serde_json::json!([3, 3, 3, 0, 2, 2, 0]));
    assert!(safety["sl_t_override"]["justification"]["en"]
        .as_str()
        .unwrap()
        .contains("policy"));

    let out = tekigo(p.path(), &["risk", "targets"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("zone control: SL-T {3 3 3 0 2 2 0}"));
    assert!(table.contains("conduit c-radio: SL-T {3 3 3 0 2 2 2}"));
}

#[test]
fn feasibility_compares_zone_targets_with_the_example_assessments() {
    let p = project(|t| t);
    let out = tekigo(p.path(), &["risk", "feasibility", "--format", "json"]);
    // The PLC and the RTU fall short of their zones' SL-T: findings.
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let control = v
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"] == "control")
        .unwrap();
    let plc = &control["components"][0];
    assert_eq!(plc["assessment"], "filter-plc-4-2");
    // Modbus without authentication: FR 1 and FR 3 at 1; no event forwarding: FR 6 at 1.
    assert_eq!(plc["achieved"], serde_json::json!([1, 2, 1, 2, 4, 1, 2]));
    assert_eq!(plc["gap"], serde_json::json!([2, 1, 2, 0, 0, 1, 0]));
    let reqs: Vec<&str> = control["system_requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(reqs.contains(&"SR 1.1 RE(2)") && !reqs.contains(&"SR 1.1 RE(3)"));
    let sup = v
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"] == "supervisory")
        .unwrap();
    assert_eq!(sup["components"][0]["assessment"], Value::Null);
    assert_eq!(sup["feasible"], false);
}

#[test]
fn draw_and_report_write_files() {
    let p = project(|t| t);
    let svg = p.path().join("out.svg");
    let out = tekigo(
        p.path(),
        &[
            "risk",
            "draw",
            "--format",
            "svg",
            "-o",
            svg.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"")
            && text.trim_end().ends_with("</svg>")
    );
    let out = tekigo(p.path(), &["risk", "draw", "--format", "dot"]);
    assert!(String::from_utf8_lossy(&out.stdout)
        .starts_with("graph \"Riverside water treatment plant\" {"));

    let html = p.path().join("report.html");
    let out = tekigo(
        p.path(),
        &[
            "risk",
            "report",
            "--format",
            "html",
            "--lang",
            "ja",
            "-o",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<html lang=\"ja\">")
            && page.contains("SL-T の導出過程")
            && page.contains("<svg width=")
    );
}

/// The committed outputs of examples/water-treatment.sh are what the code makes today.
#[test]
fn the_example_outputs_are_up_to_date() {
    let p = project(|t| t);
    let model = std::fs::read_to_string(example().join("risk/system.yaml")).unwrap();
    let source = std::fs::read_to_string(example().join("../water-treatment-risk.yaml")).unwrap();
    assert_eq!(model, source, "run examples/water-treatment.sh");
    for (args, file) in [
        (&["risk", "draw", "--format", "svg"][..], "zones.svg"),
        (&["risk", "draw", "--format", "dot"][..], "zones.dot"),
        (
            &["risk", "report", "--format", "html"][..],
            "report.en.html",
        ),
        (
            &["--lang", "ja", "risk", "report", "--format", "html"][..],
            "report.ja.html",
        ),
    ] {
        let out = tekigo(p.path(), args);
        let committed = std::fs::read_to_string(example().join("risk").join(file)).unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout) == committed,
            "{file} is stale: run examples/water-treatment.sh"
        );
    }
}

/// `risk report --format pdf`: a PDF with the drawing and the derivation, in the project's
/// language unless --lang is given; a font directory that does not exist is an error (2)
/// that names it.
#[test]
fn report_pdf_follows_the_project_language() {
    let p = project(|t| t);
    let config = p.path().join("tekigo.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("language: en"));
    std::fs::write(&config, text.replace("language: en", "language: ja")).unwrap();

    let out = tekigo(p.path(), &["risk", "report", "--format", "html"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("<html lang=\"ja\">"));
    let out = tekigo(
        p.path(),
        &["--lang", "en", "risk", "report", "--format", "html"],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("<html lang=\"en\">"));

    let pdf = p.path().join("zones.pdf");
    let report_pdf = [
        "risk",
        "report",
        "--format",
        "pdf",
        "-o",
        pdf.to_str().unwrap(),
    ];
    let out = tekigo(p.path(), &report_pdf);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    if let Some(text) = tools::pdftotext(&pdf, false) {
        let text = tools::squeeze(&text);
        // A section title, the system's Japanese name, and the drawing's legend.
        for expected in ["SL-Tの導出過程", "リバーサイド浄水場", "無線ゾーン/リンク"]
        {
            assert!(text.contains(expected), "{expected} not in:\n{text}");
        }
    }

    let out = tekigo(
        p.path(),
        &[&report_pdf[..], &["--font-dir", "/no/such/fonts"]].concat(),
    );
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/fonts"));
}
