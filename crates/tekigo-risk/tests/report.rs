//! The HTML report: self-contained, escaped, in both languages, and holding every number a
//! reader needs to redo the derivation by hand.

mod common;

use common::*;
use tekigo_catalog::Lang;
use tekigo_risk::report::{html, ReportInput};
use tekigo_risk::{check, derive, Document};

fn render(doc: &Document, lang: Lang) -> String {
    let d = derive(&doc.model);
    let v = check(doc, catalog(), &["gw".to_string()]).unwrap();
    html(&ReportInput {
        doc,
        catalog: catalog(),
        project: "Test & <project>",
        derivation: &d,
        violations: &v,
        feasibility: &[],
        lang,
    })
    .unwrap()
}

/// The text of a table row (tags removed), for rows that start with `first_cell`.
fn rows_starting(html: &str, first_cell: &str) -> Vec<String> {
    html.split("<tr")
        .filter(|r| r.starts_with(&format!("><td>{first_cell}</td>")))
        .map(|r| {
            let mut out = String::new();
            let mut in_tag = false;
            for c in r.chars() {
                match c {
                    '<' => {
                        in_tag = true;
                        out.push('|');
                    }
                    '>' => in_tag = false,
                    c if !in_tag => out.push(c),
                    _ => {}
                }
            }
            out.split('|')
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

#[test]
fn the_derivation_can_be_followed_from_the_report() {
    let page = render(&base(), Lang::En);
    // The matrix cell, the rule row and the per-FR result of r-b2 in zone b: low × major =
    // r2 ("Serious"), row SL 2, dos: RDF 2-2 = 0, RA 2; FRs not borne on: "–".
    let rows = rows_starting(&page, "r-b2");
    assert!(
        rows.contains(&"r-b2|t2|dos|low × major|Serious (r2)|2|–|–|–|–|0 (-2)|–|2".to_string()),
        "{rows:#?}"
    );
    // The rule table maps each risk level to its SL; the threat-type table gives offsets.
    assert!(page.contains("<tr><td>Critical</td><td class=\"num\">4</td></tr>"));
    assert!(page.contains("<td>dos</td><td>DoS</td><td class=\"num\">–</td>"));
    assert!(page.contains("SL − 2"));
    // The totals: derived, decided by, and the SL-T.
    assert!(page.contains("Zone b · Control: SL-T {4 4 3 0 0 0 2}"));
    assert!(page.contains("<td class=\"num\">r-b1</td>"));
    // The matrix shows which cells are above the tolerable risk.
    assert!(page.contains("<td class=\"within\">Acceptable</td><td class=\"above\">Serious</td>"));
}

#[test]
fn the_report_is_self_contained_and_escapes_user_text() {
    let doc = with(|m| {
        m.system.name = tekigo_risk::model::Words::One("<img src=x onerror=alert(1)>".into());
        m.zones[0].name = tekigo_risk::model::Words::One("A & B \"zone\"".into());
    });
    let page = render(&doc, Lang::En);
    assert!(!page.contains("<img") && page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("Test &amp; &lt;project&gt;"));
    assert!(page.contains("default-src 'none'"));
    assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("<script"));
    assert!(page.contains("<svg width="), "the drawing is inline");
}

#[test]
fn japanese_report_uses_japanese_labels_and_texts() {
    let doc = with(|m| m.assets.push(m.assets[0].clone()));
    let page = render(&doc, Lang::Ja);
    assert!(page.contains("<html lang=\"ja\">"));
    assert!(page.contains("SL-T の導出過程") && page.contains("リスクマトリクス"));
    // Catalog titles of the steps, and the violation in Japanese.
    assert!(page.contains("対象システム（SUC）の特定"));
    assert!(page.contains("unique-id") && page.contains("回使われています"));
    assert!(page.contains("危機的"));
    let en = render(&doc, Lang::En);
    assert!(en.contains("Identify the SUC") && en.contains("is used 2 times"));
}

#[test]
fn the_example_report_renders_in_both_languages() {
    let doc = parse(&example_text());
    for lang in [Lang::En, Lang::Ja] {
        let page = render(&doc, lang);
        assert!(page.contains("c-radio") && page.contains("R14"));
    }
}
