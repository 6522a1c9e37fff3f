//! The documents a regime asks for (`tekigo regime doc`) and the regime section of a report
//! (`tekigo report --regime`), on a copy of examples/gateway. Every status a document
//! prints is checked against `assess show --regime` of the same project, and the counts
//! of a scan report against the stored report itself.

mod common;

use common::{copy_tree, ok, repo, stderr, stdout, tekigo};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn gateway() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("gateway");
    copy_tree(&repo().join("examples/gateway"), &dir);
    (tmp, dir)
}

fn json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_slice(&ok(dir, args).stdout).expect("JSON on stdout")
}

fn doc(dir: &Path, lang: &str, kind: &str) -> Value {
    json(
        dir,
        &["--lang", lang, "regime", "doc", kind, "--format", "json"],
    )
}

fn section<'a>(d: &'a Value, number: &str) -> &'a Value {
    d["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["number"] == number)
        .unwrap_or_else(|| panic!("no section {number}"))
}

fn texts(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn fact<'a>(s: &'a Value, label: &str) -> Option<&'a str> {
    s["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["label"] == label)
        .and_then(|f| f["value"].as_str())
}

/// (id, status) of every requirement of the regime view of the gateway's assessment.
fn view(dir: &Path, regime: &str) -> Vec<(String, String)> {
    let v = json(
        dir,
        &[
            "assess",
            "show",
            "gw-100-4-2",
            "--regime",
            regime,
            "--format",
            "json",
        ],
    );
    v["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn label(lang: &str, status: &str) -> &'static str {
    match (lang, status) {
        ("en", "met") => "met",
        ("en", "partial") => "partial",
        ("en", "not-met") => "not met",
        ("en", "not-assessed") => "not assessed",
        ("ja", "met") => "適合",
        ("ja", "partial") => "部分的に適合",
        ("ja", "not-met") => "不適合",
        ("ja", "not-assessed") => "未評価",
        other => panic!("{other:?}"),
    }
}

/// Every row of a requirement table shows the regime view's status, and every requirement
/// that is not met has a gap in the same section that names it.
fn agrees_with_view(s: &Value, column: usize, view: &[(String, String)], lang: &str) {
    let gaps = texts(&s["gaps"]);
    let rows = s["table"]["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let id = row[0].as_str().unwrap();
        let (_, status) = view.iter().find(|(v, _)| v == id).unwrap();
        let shown = row[column].as_str().unwrap();
        assert!(
            shown == label(lang, status)
                || shown.starts_with(&format!("{} (", label(lang, status))),
            "{id}: {shown} vs {status}"
        );
        if status != "met" {
            assert!(
                gaps.iter().any(|g| g.starts_with(&format!("{id}: "))),
                "{id} is {status} and no gap names it: {gaps:?}"
            );
        }
    }
}

#[test]
fn cra_technical_documentation_of_the_gateway() {
    let (_tmp, dir) = gateway();
    let d = doc(&dir, "en", "cra-technical-documentation");
    let numbers: Vec<&str> = d["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["number"].as_str().unwrap())
        .collect();
    assert_eq!(
        numbers,
        [
            "VII 1(a)", "VII 1(b)", "VII 1(c)", "VII 1(d)", "VII 2(a)", "VII 2(b)", "VII 2(c)",
            "VII 3", "VII 4", "VII 5", "VII 6", "VII 7", "VII 8"
        ]
    );
    // The list at the end is every section's gaps, in order.
    let listed: Vec<String> = d["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["text"].as_str().unwrap().to_string())
        .collect();
    let per_section: Vec<String> = d["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| texts(&s["gaps"]))
        .collect();
    assert_eq!(listed, per_section);
    // Product description from tekigo.yaml; the Annex I and Part II tables agree with
    // the regime view.
    let config = std::fs::read_to_string(dir.join("tekigo.yaml")).unwrap();
    let desc = fact(section(&d, "VII 1(a)"), "Description").unwrap();
    assert!(config.contains(desc), "{desc}");
    let cra = view(&dir, "eu-cra");
    agrees_with_view(section(&d, "VII 3"), 2, &cra, "en");
    agrees_with_view(section(&d, "VII 2(b)"), 2, &cra, "en");
    // The gateway has no risk model, no 4-1 assessment, no support period, no SBOM.
    let gaps = |n: &str| texts(&section(&d, n)["gaps"]).join("\n");
    assert!(gaps("VII 3").contains("No risk assessment"));
    assert!(gaps("VII 2(b)").contains("No 62443-4-1 assessment"));
    assert!(gaps("VII 4").contains("No support period"));
    assert!(gaps("VII 8").contains("No SBOM"));
    // CR 4.1 was suggested not satisfied by the scan: I.2(e) is not met through it, and the
    // unconfirmed suggestion says so.
    let row = |s: &Value, id: &str| -> Vec<String> {
        let rows = s["table"]["rows"].as_array().unwrap();
        texts(rows.iter().find(|r| r[0] == id).unwrap())
    };
    let e = row(section(&d, "VII 3"), "CRA I.2(e)");
    assert!(
        e[2].starts_with("not met (")
            && e[2].contains("CR 4.1 not satisfied (scan suggestion, not confirmed)"),
        "{e:?}"
    );
    // The scan report the answers cite is a test report, its counts those of the file.
    let scans = section(&d, "VII 6")["table"]["rows"].as_array().unwrap();
    let scan = scans
        .iter()
        .find(|r| r[0] == "scan.json")
        .expect("scan.json");
    let sha = scan[5].as_str().unwrap();
    let stored: Value =
        serde_json::from_slice(&std::fs::read(dir.join("evidence").join(sha)).unwrap()).unwrap();
    let results = stored["results"].as_array().unwrap();
    let findings = results
        .iter()
        .filter(|r| r["verdict"] == "fail" || r["verdict"] == "absent")
        .count();
    assert_eq!(
        scan[3],
        format!("{} checks, {findings} findings", results.len())
    );

    // A support period, a frozen release with its SBOM: the gaps close.
    std::fs::write(
        dir.join("tekigo.yaml"),
        config.replace(
            "  vendor: Example Devices K.K.\n",
            "  vendor: Example Devices K.K.\n  support_until: 2031-12-31\n",
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("releases/2.1.0")).unwrap();
    std::fs::write(
        dir.join("releases/2.1.0/release.json"),
        r#"{"version": "2.1.0", "frozen_at": "2026-11-30T10:00:00Z", "support_until": null, "sboms": ["sbom.cdx.json"]}"#,
    )
    .unwrap();
    let d = doc(&dir, "en", "cra-technical-documentation");
    let gaps = |n: &str| texts(&section(&d, n)["gaps"]).join("\n");
    assert!(
        !gaps("VII 4").contains("No support period"),
        "{}",
        gaps("VII 4")
    );
    assert_eq!(
        fact(
            section(&d, "VII 4"),
            "End of the support period (product.support_until)"
        ),
        Some("2031-12-31")
    );
    // The release inherits the product's support period.
    assert_eq!(
        fact(section(&d, "VII 1(b)"), "Release 2.1.0"),
        Some("frozen 2026-11-30T10:00:00Z; supported until 2031-12-31")
    );
    assert!(!gaps("VII 8").contains("No SBOM"));
    assert!(fact(section(&d, "VII 8"), "SBOM")
        .unwrap()
        .contains("releases/2.1.0/sbom.cdx.json"));

    // Files other commands write are input like any other: a broken one is named.
    std::fs::write(dir.join("releases/2.1.0/release.json"), r#"{"version": 2}"#).unwrap();
    let out = tekigo(&dir, &["regime", "doc", "cra-technical-documentation"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("releases/2.1.0/release.json"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(dir.join("releases")).unwrap();
    let config = std::fs::read_to_string(dir.join("tekigo.yaml")).unwrap();
    std::fs::write(
        dir.join("tekigo.yaml"),
        config.replace("2031-12-31", "2031-13-01"),
    )
    .unwrap();
    let out = tekigo(&dir, &["regime", "doc", "cra-technical-documentation"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("product.support_until"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn documents_in_japanese_html_pdf_and_hostile_text() {
    let (_tmp, dir) = gateway();
    let config = std::fs::read_to_string(dir.join("tekigo.yaml")).unwrap();
    std::fs::write(
        dir.join("tekigo.yaml"),
        config.replace(
            "description: An embedded Linux gateway",
            "description: <script>alert(1)</script> [x](http://example.invalid) An embedded Linux gateway",
        ),
    )
    .unwrap();
    ok(
        &dir,
        &[
            "--lang",
            "ja",
            "regime",
            "doc",
            "cra-technical-documentation",
            "-o",
            "td.html",
        ],
    );
    let html = std::fs::read_to_string(dir.join("td.html")).unwrap();
    assert!(html.contains("技術文書 (CRA 附属書VII) 草案"));
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    let md = stdout(&ok(&dir, &["regime", "doc", "cra-technical-documentation"]));
    assert!(
        md.contains("&lt;script&gt;") && md.contains("\\[x\\](http"),
        "{md}"
    );
    // Japanese words only in the Japanese document's own labels.
    let ja = stdout(&ok(
        &dir,
        &[
            "--lang",
            "ja",
            "regime",
            "doc",
            "cra-declaration-of-conformity",
        ],
    ));
    for english in ["Missing", "Statement", "Manufacturer", "not met"] {
        assert!(!ja.contains(english), "{english} in {ja}");
    }
    ok(
        &dir,
        &[
            "regime",
            "doc",
            "cra-declaration-of-conformity",
            "-o",
            "doc.pdf",
        ],
    );
    let pdf = std::fs::read(dir.join("doc.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // The declaration's conformity statement is blocked by every requirement not met.
    let d = doc(&dir, "en", "cra-declaration-of-conformity");
    let open = view(&dir, "eu-cra")
        .iter()
        .filter(|(_, s)| s != "met")
        .count();
    let gaps = texts(&section(&d, "V 5")["gaps"]);
    assert!(
        gaps.iter()
            .any(|g| g.starts_with(&format!("{open} of 31 CRA requirements"))),
        "{gaps:?}"
    );
    let out = tekigo(&dir, &["regime", "doc", "cra-annex-ix"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("jc-star-1-checklist"));
}

#[test]
fn jc_star_checklist_follows_the_answers() {
    let (_tmp, dir) = gateway();
    let d = doc(&dir, "ja", "jc-star-1-checklist");
    let criteria = d["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["heading"] == "適合基準")
        .unwrap();
    assert_eq!(criteria["table"]["rows"].as_array().unwrap().len(), 16);
    agrees_with_view(criteria, 2, &view(&dir, "jc-star-1"), "ja");
    let s102 = |d: &Value| -> Vec<String> {
        let c = d["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["heading"] == "適合基準")
            .unwrap();
        texts(
            c["table"]["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r[0] == "S1.1-02")
                .unwrap(),
        )
    };
    let before = s102(&d);
    assert_eq!(before[2], "部分的に適合");
    assert!(before[3].contains("CR 1.5") && before[5].contains("CR 1.5 を完了する"));
    ok(
        &dir,
        &[
            "assess",
            "set",
            "gw-100-4-2",
            "CR 1.5",
            "--status",
            "satisfied",
            "--reason",
            "unique initial passwords per device",
        ],
    );
    let after = s102(&doc(&dir, "ja", "jc-star-1-checklist"));
    assert_eq!(after[2], "適合");
    assert!(!after[5].contains("CR 1.5 を完了する"), "{after:?}");
}

#[test]
fn report_with_a_regime_section() {
    let (_tmp, dir) = gateway();
    ok(
        &dir,
        &[
            "--lang",
            "en",
            "report",
            "gw-100-4-2",
            "--format",
            "html",
            "--regime",
            "eu-cra",
            "-o",
            "r.html",
        ],
    );
    let html = std::fs::read_to_string(dir.join("r.html")).unwrap();
    assert!(html.contains("<section id=\"regime\">"));
    let cra = view(&dir, "eu-cra");
    for (id, status) in &cra {
        let row = html
            .split(&format!("<td><strong>{id}</strong>"))
            .nth(1)
            .unwrap_or_else(|| panic!("no row {id}"));
        let row = row.split("</tr>").next().unwrap();
        assert!(
            row.contains(&format!(
                "<span class=\"status\">{}</span>",
                label("en", status)
            )),
            "{id}: {row}"
        );
    }
    ok(
        &dir,
        &[
            "--lang",
            "ja",
            "report",
            "gw-100-4-2",
            "--format",
            "html",
            "--regime",
            "jc-star-1",
            "-o",
            "ja.html",
        ],
    );
    let ja = std::fs::read_to_string(dir.join("ja.html")).unwrap();
    assert!(ja.contains("他の制度・規格から見た評価") && ja.contains("S1.1-16"));
    ok(
        &dir,
        &[
            "report",
            "gw-100-4-2",
            "--format",
            "pdf",
            "--regime",
            "eu-cra",
            "-o",
            "r.pdf",
        ],
    );
    assert!(std::fs::read(dir.join("r.pdf"))
        .unwrap()
        .starts_with(b"%PDF-"));
    for bad in [
        vec![
            "report",
            "gw-100-4-2",
            "--format",
            "xlsx",
            "--regime",
            "eu-cra",
            "-o",
            "x.xlsx",
        ],
        vec![
            "report",
            "gw-100-4-2",
            "--format",
            "html",
            "--regime",
            "62443-4-1",
        ],
    ] {
        let out = tekigo(&dir, &bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}
