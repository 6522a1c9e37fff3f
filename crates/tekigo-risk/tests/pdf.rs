//! The PDF report as a reader meets it: its text as poppler's pdftotext extracts it, in
//! English and Japanese, with the drawing typeset into it (the drawing's own words, which
//! only the SVG prints, are in the text), the derivation's numbers, and the model's text
//! printed as the characters it holds. pdftotext is found as tekigo-report's tests find it
//! (`tests/tools`): a missing one skips the text checks outside CI and fails in CI.

mod common;
#[path = "../../tekigo-report/tests/tools/mod.rs"]
mod tools;

use common::*;
use tekigo_catalog::Lang;
use tekigo_risk::model::Words;
use tekigo_risk::report::{pdf, ReportInput};
use tekigo_risk::{check, derive, Document};
use tools::{pdftotext, squeeze};

/// The components of examples/water-treatment/tekigo.yaml, and of the test model.
const COMPONENTS: [&str; 4] = ["filter-plc", "telemetry-rtu", "scada-hmi", "gw"];

/// What a reader of the PDF sees: its text in reading order without whitespace (typst
/// breaks lines inside table cells), and its table rows one per line with every run of
/// spaces made one space. `None` when pdftotext is missing outside CI.
struct Extracted {
    text: String,
    rows: Vec<String>,
}

fn read(doc: &Document, lang: Lang) -> Option<Extracted> {
    let d = derive(&doc.model);
    let components = COMPONENTS.map(String::from);
    let v = check(doc, catalog(), &components).unwrap();
    let input = ReportInput {
        doc,
        catalog: catalog(),
        project: "Riverside",
        derivation: &d,
        violations: &v,
        feasibility: &[],
        lang,
    };
    let bytes = pdf(&input, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(bytes.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("risk.pdf");
    std::fs::write(&file, bytes).unwrap();
    Some(Extracted {
        text: squeeze(&pdftotext(&file, false)?),
        rows: pdftotext(&file, true)?
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect(),
    })
}

fn assert_row(rows: &[String], expected: &str) {
    assert!(
        rows.iter().any(|r| r.contains(expected)),
        "no row holds {expected:?}:\n{}",
        rows.join("\n")
    );
}

fn assert_holds(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(
            text.contains(&squeeze(e)),
            "{e:?} not in the PDF text:\n{text}"
        );
    }
}

#[test]
fn the_example_report_in_japanese_holds_the_drawing_and_the_derivation() {
    let Some(pdf) = read(&parse(&example_text()), Lang::Ja) else {
        return;
    };
    assert_holds(
        &pdf.text,
        &[
            // Labels, the system's Japanese name and a matrix level.
            "ゾーンとコンジット: リスクアセスメントと目標セキュリティレベル",
            "SL-T の導出過程",
            "リスク登録簿",
            "リバーサイド浄水場",
            "非常に高",
            // The legend and title of the drawing: words only the SVG prints.
            "無線ゾーン / リンク",
            "安全ゾーン",
            // The rule check and the derivation of zone "control" (tests/derive.rs).
            "違反はありません",
            "SL-T {3 3 3 0 2 2 0}",
        ],
    );
}

#[test]
fn the_english_report_can_be_followed_by_hand() {
    let Some(pdf) = read(&base(), Lang::En) else {
        return;
    };
    assert_holds(
        &pdf.text,
        &[
            "Zones and conduits: risk assessment and target security levels",
            // The drawing's legend: only the SVG prints it.
            "wireless zone / link",
            "safety zone",
            // The matrix, the register and the rule check.
            "Tolerable",
            "No violations: every rule is kept.",
            "Zone b · Control: SL-T {4 4 3 0 0 0 2}",
        ],
    );
    let rows = &pdf.rows;
    // Risk line r-b2 of zone b: low × major = r2 (Serious), row SL 2; type dos bears on RDF
    // with offset -2 (2 - 2 = 0) and on RA (2), on no other FR ("–").
    assert_row(
        rows,
        "r-b2 t2 dos low × major Serious (r2) 2 – – – – 0 (-2) – 2",
    );
    // The highest value per FR over zone b's lines, which line decided it, the SL-T.
    assert_row(rows, "Derived (highest per FR) 4 4 3 0 0 0 2");
    assert_row(rows, "Decided by r-b1 r-b1 r-b1 – – – r-b2");
    // The rule row of the highest risk level.
    assert_row(rows, "Critical 4");
}

#[test]
fn model_text_is_printed_as_written_never_run_as_markup() {
    let doc = with(|m| {
        m.system.name = Words::One("#panic(\"boom\") $x$ <script>".into());
        m.zones[0].name = Words::One("Zone *A* _b_ `c` @ref".into());
    });
    let Some(pdf) = read(&doc, Lang::En) else {
        return;
    };
    assert_holds(
        &pdf.text,
        &["#panic(\"boom\") $x$ <script>", "Zone *A* _b_ `c` @ref"],
    );
}

#[test]
fn a_broken_model_lists_its_violations() {
    let doc = with(|m| m.assets.push(m.assets[0].clone()));
    let Some(pdf) = read(&doc, Lang::Ja) else {
        return;
    };
    assert_holds(&pdf.text, &["unique-id", "ZCR 3.1", "回使われています"]);
    assert!(!pdf.text.contains("違反はありません"));
}
