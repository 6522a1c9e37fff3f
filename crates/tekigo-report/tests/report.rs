//! Reports as their readers meet them: the PDF's text as pdftotext extracts it, the HTML as
//! headless Chromium loads it with the network cut off, the OSCAL document as NIST's models
//! (compliance-trestle) parse it. Outside CI a missing tool skips its test with a message;
//! in CI (`CI=true`, where scripts/setup/50-report.sh installs them) it fails.

mod fixture;
#[path = "../../../tests/python.rs"]
mod python;
mod tools;

use fixture::{catalog, HOSTILE_URL, REASON_JA, USER_URL};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use tekigo_assess::{Assessment, Project};
use tekigo_catalog::Lang;
use tekigo_report::{html, oscal, pdf, ReportInput};
use tools::{pdftotext, squeeze, tool};

const GENERATED: &str = "2025-03-10T09:00:00Z";
const CR11_JA: &str = "人間のユーザーの識別と認証";
const CR11_EN: &str = "Human user identification and authentication";

fn input<'a>(project: &'a Project, a: &'a Assessment, lang: Lang) -> ReportInput<'a> {
    ReportInput {
        project,
        catalog: catalog(),
        assessment: a,
        lang,
        generated: GENERATED,
        options: Default::default(),
    }
}

fn pdf_text(bytes: &[u8], dir: &Path) -> Option<String> {
    let file = dir.join("report.pdf");
    std::fs::write(&file, bytes).unwrap();
    pdftotext(&file, false)
}

#[test]
fn japanese_pdf_holds_japanese_titles_and_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let (project, a) = fixture::rich(&dir.path().join("p"));
    let bytes = pdf(&input(&project, &a, Lang::Ja), None).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let Some(text) = pdf_text(&bytes, dir.path()) else {
        return;
    };
    let text = squeeze(&text);
    for expected in [
        CR11_JA,
        REASON_JA,
        "IEC62443評価報告書",
        "識別および認証制御",
        "部分的に充足",
        "Add mutual TLS to the field bus gateway",
        "山田太郎",
        "ゲートウェイGW-100",
    ] {
        assert!(
            text.contains(&squeeze(expected)),
            "{expected:?} not in the PDF text:\n{text}"
        );
    }
    // The hostile reason prints as the characters it holds: typst syntax stays text.
    for literal in [
        "<script>alert('x')</script>",
        "#setpage(fill:red)",
        "$x$",
        "`raw`",
    ] {
        assert!(text.contains(literal), "{literal:?} not printed literally");
    }
    // Every stored file's full hash is in the evidence index.
    for sha in stored_hashes(&project) {
        assert!(text.contains(&sha), "{sha} not in the PDF");
    }
}

#[test]
fn english_pdf_uses_english_labels_and_catalog_titles() {
    let dir = tempfile::tempdir().unwrap();
    let (project, a) = fixture::rich(&dir.path().join("p"));
    let bytes = pdf(&input(&project, &a, Lang::En), None).unwrap();
    let Some(text) = pdf_text(&bytes, dir.path()) else {
        return;
    };
    let text = squeeze(&text);
    for expected in [
        CR11_EN,
        "IEC62443assessmentreport",
        "Identificationandauthenticationcontrol",
        "partiallysatisfied",
        "Evidenceindex",
        REASON_JA, // the assessor's Japanese reason, through the CJK fallback font
    ] {
        assert!(
            text.contains(&squeeze(expected)),
            "{expected:?} not in the PDF text:\n{text}"
        );
    }
    assert!(!text.contains("評価報告書"));
}

fn stored_hashes(project: &Project) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(project.root.join("evidence"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| tekigo_assess::evidence::is_sha256(n))
        .collect();
    v.sort();
    v
}

#[test]
fn html_is_self_contained_and_escapes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (project, a) = fixture::rich(&dir.path().join("p"));
    let page = html(&input(&project, &a, Lang::Ja)).unwrap();
    // Hostile text is text.
    assert!(!page.contains("<script"), "a script element in the report");
    assert!(page.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt;"));
    assert!(page.contains("Example &lt;Vendor&gt; &amp; Co"));
    assert!(!page.contains("<b>"));
    // A URL cannot break out of its attribute.
    assert!(
        !page.contains("onmouseover=\""),
        "an attribute escaped from the href"
    );
    assert!(page.contains("&quot;onmouseover=&quot;alert(1)&quot;&lt;script&gt;"));
    let escaped_url = USER_URL.replace('&', "&amp;").replace('/', "&#x2f;");
    assert!(
        page.contains(&format!("<a href=\"{escaped_url}\"")),
        "the user's link is missing"
    );
    // Nothing is loaded from anywhere: the only URLs are the one the assessor wrote.
    let hostile_url = HOSTILE_URL
        .replace('&', "&amp;")
        .replace('/', "&#x2f;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let without_user_links = page.replace(&escaped_url, "").replace(&hostile_url, "");
    for needle in [
        "http://",
        "https://",
        "http:&#x2f;&#x2f;",
        "https:&#x2f;&#x2f;",
        "src=",
        "<link",
        "@import",
        "url(",
        "<script",
        "<iframe",
        "<object",
        "<embed",
    ] {
        assert!(
            !without_user_links.contains(needle),
            "{needle:?} in the HTML report"
        );
    }
    // Defence in depth: the page's policy forbids loading anything at all.
    assert!(page.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    // Content: Japanese labels and titles, both languages of the title, every section.
    for expected in [
        CR11_JA,
        CR11_EN,
        REASON_JA,
        "評価報告書",
        "補償対策",
        "目標セキュリティレベル (SL-T)",
        "エビデンス一覧",
        "カタログデータの確度に関する注記",
    ] {
        assert!(page.contains(expected), "{expected:?} not in the HTML");
    }
    for sha in stored_hashes(&project) {
        assert!(
            page.contains(&format!("id=\"ev-{sha}\"")),
            "{sha} not indexed"
        );
    }
    assert!(page.contains("<svg") && page.contains("IAC"));
    // The same inputs give the same bytes.
    assert_eq!(page, html(&input(&project, &a, Lang::Ja)).unwrap());
}

/// Loads a file in headless Chromium with DNS cut off and returns the DOM and the URLs of
/// the requests the page itself started (from Chromium's net log; the browser's own
/// background requests carry no page origin and are left out).
fn chromium_load(chromium: &Path, file: &Path, dir: &Path) -> (String, Vec<String>) {
    let netlog = dir.join(format!(
        "{}.netlog.json",
        file.file_name().unwrap().to_string_lossy()
    ));
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&netlog).expect("chromium wrote no net log");
    // A log cut short at exit lacks its closing brackets.
    let log: Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("net log is JSON");
    let start_job = &log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"];
    let requests = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| &e["type"] == start_job && e["params"]["initiator"] != "not an origin")
        .filter_map(|e| Some(e["params"]["url"].as_str()?.to_string()))
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), requests)
}

#[test]
fn html_opens_in_chromium_without_network() {
    let Some(chromium) = tool("chromium") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (project, a) = fixture::rich(&dir.path().join("p"));
    let page = html(&input(&project, &a, Lang::En)).unwrap();
    let file = dir.path().join("report.html");
    std::fs::write(&file, &page).unwrap();
    let (dom, requests) = chromium_load(&chromium, &file, dir.path());
    // The browser built the document: every section, the tables, the chart.
    for id in [
        "cover",
        "scope",
        "chart",
        "summary",
        "requirements",
        "gaps",
        "findings",
        "evidence",
        "confidence",
    ] {
        assert!(
            dom.contains(&format!("id=\"{id}\"")),
            "section {id} missing from the DOM"
        );
    }
    assert!(
        dom.contains("<svg") && dom.contains("</svg>"),
        "no chart in the DOM"
    );
    assert!(
        dom.matches("<table").count() >= 8,
        "tables missing from the DOM"
    );
    assert!(dom.contains(CR11_EN) && dom.contains(REASON_JA));
    assert!(
        dom.contains("&lt;script&gt;alert('x')&lt;/script&gt;"),
        "hostile text not shown as text"
    );
    assert!(
        requests.is_empty(),
        "the report made requests: {requests:?}"
    );

    // The check can fail: a page that loads an image is caught.
    let loader = dir.path().join("loader.html");
    std::fs::write(
        &loader,
        "<html><body><img src=\"http://evidence.example.com/x.png\"></body></html>",
    )
    .unwrap();
    let (_, requests) = chromium_load(&chromium, &loader, dir.path());
    assert!(
        requests.iter().any(|u| u.contains("evidence.example.com")),
        "the net log check missed a page request: {requests:?}"
    );
}

fn trestle(kind: &str, file: &Path) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oscal/validate.py");
    python::python()
        .arg(script)
        .arg(kind)
        .arg(file)
        .output()
        .expect("python3 runs (scripts/setup/10-python.sh)")
}

/// Validated with compliance-trestle, whose models are generated from NIST's OSCAL schemas.
/// CI installs it (scripts/setup/10-python.sh); a missing validator is a failure.
#[test]
fn oscal_assessment_results_validate_and_match_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let (project, a) = fixture::rich(&dir.path().join("p"));
    let doc = oscal(&input(&project, &a, Lang::En)).unwrap();
    let file = dir.path().join("ar.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let check = trestle("assessment-results", &file);
    assert!(
        check.status.success(),
        "OSCAL validation failed:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    // Every finding targets a control id of the exported OSCAL catalog.
    let std = catalog().standard("62443-4-2").unwrap();
    let exported = tekigo_export::oscal_catalog(std, Lang::En, None, GENERATED);
    let mut control_ids = Vec::new();
    collect_control_ids(&exported["catalog"], &mut control_ids);
    let ar = &doc["assessment-results"];
    let findings = ar["results"][0]["findings"].as_array().unwrap();
    assert!(findings.len() > 20);
    for f in findings {
        let id = f["target"]["target-id"].as_str().unwrap();
        assert!(
            control_ids.iter().any(|c| c == id),
            "{id} is not a control of the exported catalog"
        );
    }
    let finding = |id: &str| {
        findings
            .iter()
            .find(|f| f["target"]["target-id"] == id)
            .unwrap()
    };
    assert_eq!(finding("cr-1.1")["target"]["status"]["state"], "satisfied");
    assert_eq!(
        finding("cr-1.2")["target"]["status"]["state"],
        "not-satisfied"
    );
    // CR 1.3 is met by a compensating countermeasure: outside the component, so not
    // satisfied by it (62443-4-2 SL-C), with reason `other`.
    assert_eq!(
        finding("cr-1.3")["target"]["status"]["state"],
        "not-satisfied"
    );
    assert_eq!(finding("cr-1.3")["target"]["status"]["reason"], "other");
    // The evidence hashes are in the back matter, and observations point at them.
    let resources = ar["back-matter"]["resources"].as_array().unwrap();
    for sha in stored_hashes(&project) {
        let r = resources
            .iter()
            .find(|r| r["rlinks"][0]["hashes"][0]["value"] == sha.as_str())
            .unwrap_or_else(|| panic!("{sha} not in the back matter"));
        assert_eq!(r["rlinks"][0]["href"], format!("evidence/{sha}"));
        let href = format!("#{}", r["uuid"].as_str().unwrap());
        let cited = ar["results"][0]["observations"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|o| {
                o["relevant-evidence"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .any(|e| e["href"] == href.as_str());
        assert!(cited, "no observation cites {sha}");
    }
    assert_eq!(
        doc,
        oscal(&input(&project, &a, Lang::En)).unwrap(),
        "not reproducible"
    );

    // The validator must be able to fail: a finding state OSCAL does not know is refused.
    let mut broken = doc.clone();
    broken["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] =
        "maybe".into();
    std::fs::write(&file, serde_json::to_vec(&broken).unwrap()).unwrap();
    assert!(
        !trestle("assessment-results", &file).status.success(),
        "the validator accepted an invalid document"
    );
}

fn collect_control_ids(node: &Value, out: &mut Vec<String>) {
    for key in ["groups", "controls"] {
        for child in node[key].as_array().into_iter().flatten() {
            if key == "controls" {
                out.push(child["id"].as_str().unwrap().to_string());
            }
            collect_control_ids(child, out);
        }
    }
}

#[test]
fn oscal_refuses_a_timestamp_without_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let (project, a) = fixture::rich(&dir.path().join("p"));
    let mut i = input(&project, &a, Lang::En);
    i.generated = "2025-03-10 09:00";
    let err = oscal(&i).unwrap_err().to_string();
    assert!(err.contains("RFC 3339"), "{err}");
}

#[test]
fn maturity_and_unlevelled_standards_render_in_every_format() {
    for (standard, ml) in [
        ("62443-4-1", Some(3)),
        ("62443-2-1", Some(2)),
        ("62443-3-2", None),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let project = fixture::init(&dir.path().join("p"), standard);
        let mut a = fixture::new_assessment(standard, None, ml);
        let std = catalog().standard(standard).unwrap();
        let first = tekigo_assess::results::rows(std, &a)[0].item.id.clone();
        let update = tekigo_assess::edit::AnswerUpdate {
            status: Some(tekigo_assess::Status::Satisfied),
            reason: Some(REASON_JA.into()),
            maturity: ml.map(|_| 2),
            date: "2025-03-01".into(),
            ..Default::default()
        };
        tekigo_assess::edit::set_answer(&mut a, &first, update).unwrap();
        project.save_assessment(catalog(), &a).unwrap();
        let i = input(&project, &a, Lang::Ja);
        let page = html(&i).unwrap();
        assert!(page.contains(REASON_JA), "{standard}");
        // Maturity standards get a bar chart; 3-2 has no levels and says so.
        assert_eq!(page.contains("<svg"), ml.is_some(), "{standard}");
        let doc = oscal(&i).unwrap();
        let file = dir.path().join("ar.json");
        std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
        let check = trestle("assessment-results", &file);
        assert!(
            check.status.success(),
            "{standard}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let bytes = pdf(&i, None).unwrap();
        if let Some(text) = pdf_text(&bytes, dir.path()) {
            assert!(
                squeeze(&text).contains(REASON_JA),
                "{standard}: reason not in the PDF"
            );
        }
    }
}

/// The example gateway project as it is in the repository, with a 62443-4-1 assessment
/// beside it when `process` is given.
fn gateway() -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/gateway");
    Project::open(&root).unwrap()
}

/// Every part of the certification deliverable, as the section id of the HTML and its
/// heading label.
const DELIVERABLE: [(&str, &str); 11] = [
    ("cover", "report.title"),
    ("control", "section.control"),
    ("subject", "section.subject"),
    ("scope", "section.scope"),
    ("statement", "section.statement"),
    ("requirements", "section.requirements"),
    ("conclusion", "section.conclusion"),
    ("gaps", "section.gaps"),
    ("process", "section.process"),
    ("independence", "section.independence"),
    ("evidence", "section.evidence"),
];

/// Text as the HTML report escapes it (minijinja's HTML escaping).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

fn label(lang: Lang, key: &str) -> String {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/labels.yaml")).unwrap();
    let table: serde_json::Map<String, Value> = serde_norway::from_str(&text).unwrap();
    let code = match lang {
        Lang::En => "en",
        Lang::Ja => "ja",
    };
    table[key][code].as_str().unwrap().to_string()
}

/// What a check definition's rule looks like when it leaks into a sentence: a `/.../`
/// pattern, a regex escape or anchor, a shell substitution.
const RULE_MARKS: [&str; 10] = [
    "matches /",
    "/(",
    "\\s",
    "\\b",
    "\\S",
    "(?i)",
    "^(",
    "^\\",
    "$(",
    ")/",
];

/// The text of every cell of class `class` in an HTML page, entities left as they are.
fn cells<'p>(page: &'p str, class: &str) -> Vec<&'p str> {
    let open = format!("<td class=\"{class}\">");
    page.split(&open)
        .skip(1)
        .map(|rest| &rest[..rest.find("</td>").unwrap()])
        .collect()
}

/// The report of the example gateway, in both languages, as HTML and PDF: every part of
/// the deliverable is there, in the report's language, and no reason a scan suggested
/// prints a check's rule (the scan answers are given the reasons an older tekigo stored,
/// with the regular expressions in them, so this fails if the report prints them).
#[test]
fn example_report_is_a_deliverable_in_both_languages() {
    let project = gateway();
    let mut a = project.load_assessment(catalog(), "gw-100-4-2").unwrap();
    // Reasons as an older tekigo stored them for scan suggestions, with the checks' rules:
    // the report must not print them.
    let raw = r"Suggested by device scan: sys.sudo-nopasswd: pass (no line matches /(NOPASSWD\s*:|!authenticate)/)";
    for x in a.answers.values_mut() {
        if x.origin == tekigo_assess::Origin::Scan {
            x.reason = raw.into();
        }
    }
    let stored: String = a.answers.values().map(|x| x.reason.as_str()).collect();
    assert!(stored.contains("matches /"), "no raw rule to leave out");
    let dir = tempfile::tempdir().unwrap();
    for lang in [Lang::En, Lang::Ja] {
        let i = input(&project, &a, lang);
        let page = html(&i).unwrap();
        for (id, key) in DELIVERABLE {
            assert!(
                page.contains(&format!("id=\"{id}\"")),
                "{lang:?}: no section {id}"
            );
            let heading = esc(&label(lang, key));
            assert!(page.contains(&heading), "{lang:?}: no heading {heading:?}");
        }
        // Per requirement: the summary from the catalog, the method, the deciding lines.
        let std = catalog().standard("62443-4-2").unwrap();
        let cr11 = std.item("CR 1.1").unwrap();
        assert!(page.contains(&esc(cr11.summary.get(lang))));
        let methods: Vec<String> = ["method.scan", "method.document-review"]
            .iter()
            .map(|k| esc(&label(lang, k)))
            .collect();
        for m in &methods {
            assert!(
                page.contains(&format!("<td>{m}</td>")),
                "{lang:?}: method {m}"
            );
        }
        assert!(
            page.contains("PermitEmptyPasswords no"),
            "deciding line missing"
        );
        // Document control, the subject, the sign-off and the 4-1 statement.
        for key in [
            "control.document_id",
            "control.approvals",
            "control.references",
            "subject.assumptions",
            "subject.interfaces",
            "conclusion.compensating",
            "conclusion.not_applicable",
            "process.none",
        ] {
            assert!(page.contains(&esc(&label(lang, key))), "{lang:?}: {key}");
        }
        for key in ["statement.projected", "statement.with_compensating"] {
            assert!(page.contains(&esc(&label(lang, key))), "{lang:?}: {key}");
        }
        let claimed = label(lang, "statement.claimed_c");
        assert!(
            page.contains(&esc(&claimed)),
            "{lang:?}: the SL-C statement"
        );
        // The catalog and every cited file are pinned by their hashes.
        for sha in a.evidence_hashes() {
            assert!(
                page.contains(&format!("<td class=\"hash\">{sha}</td>")),
                "{sha}"
            );
        }
        // Scan reasons: sentences in the report's language, no rule.
        let reasons = cells(&page, "reason");
        let scan_prefix = match lang {
            Lang::En => "Suggested by the device scan",
            Lang::Ja => "デバイススキャンによる提案",
        };
        let from_scan: Vec<&&str> = reasons.iter().filter(|r| r.contains(scan_prefix)).collect();
        assert!(
            from_scan.len() > 20,
            "{lang:?}: {} scan reasons",
            from_scan.len()
        );
        for r in &reasons {
            for mark in RULE_MARKS {
                let escaped = mark.replace('/', "&#x2f;");
                assert!(
                    !r.contains(mark) && !r.contains(&escaped),
                    "{lang:?}: {mark:?} in {r}"
                );
            }
        }
        for mark in ["matches /", "matches &#x2f;", "(?i)"] {
            assert!(!page.contains(mark), "{lang:?}: {mark:?} in the page");
        }
        if lang == Lang::Ja {
            assert!(
                from_scan.iter().all(|r| r.contains('「')),
                "a Japanese scan reason is not Japanese"
            );
        }

        let bytes = pdf(&i, None).unwrap();
        if let Some(text) = pdf_text(&bytes, dir.path()) {
            let text = squeeze(&text);
            for (_, key) in DELIVERABLE {
                let heading = squeeze(&label(lang, key));
                assert!(text.contains(&heading), "{lang:?} PDF: no {heading:?}");
            }
            assert!(text.contains(&squeeze(&claimed)));
            for mark in ["matches/", "(?i)", "\\s*"] {
                assert!(!text.contains(mark), "{lang:?} PDF: {mark:?}");
            }
        }
    }
    // OSCAL assessment results carry the same reasons.
    let doc = oscal(&input(&project, &a, Lang::Ja)).unwrap().to_string();
    assert!(doc.contains("デバイススキャンによる提案"));
    for mark in ["matches /", "(?i)", "NOPASSWD\\\\s"] {
        assert!(!doc.contains(mark), "OSCAL: {mark:?}");
    }
    // The check can fail: the stored reasons hold the rules it looks for.
    assert!(RULE_MARKS.iter().any(|m| stored.contains(m)));
}

/// `--by-phase`: the requirements under the catalog's lifecycle phases, each requirement's
/// anchor once however many phases list it; the command line's document id wins over
/// tekigo.yaml's.
#[test]
fn requirements_group_by_lifecycle_phase_on_request() {
    let project = gateway();
    let a = project.load_assessment(catalog(), "gw-100-4-2").unwrap();
    let mut i = input(&project, &a, Lang::Ja);
    i.options.by_phase = true;
    i.options.document_id = Some("DOC-CLI-7");
    let page = html(&i).unwrap();
    let phases = &catalog().common.lifecycle_phases;
    let design = phases.iter().find(|p| p.id.name() == "design").unwrap();
    assert!(page.contains(&format!("<h3 id=\"phase-design\">{}</h3>", design.name.ja)));
    assert!(page.contains("DOC-CLI-7") && !page.contains("EXD-GW100-SEC-0042"));
    let std = catalog().standard("62443-4-2").unwrap();
    let rows = tekigo_assess::results::rows(std, &a);
    let multi = rows
        .iter()
        .find(|r| r.in_scope && r.item.phases.len() > 1)
        .unwrap();
    let id = format!("id=\"req-{}\"", tekigo_export::oscal_token(&multi.item.id));
    assert_eq!(page.matches(&id).count(), 1, "{id}");
    let listed = page
        .matches(&format!("<td class=\"id\">{}</td>", multi.item.id))
        .count();
    assert_eq!(
        listed,
        multi.item.phases.len(),
        "{} under each of its phases",
        multi.item.id
    );
}
