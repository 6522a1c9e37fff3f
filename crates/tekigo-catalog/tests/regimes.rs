//! The regimes beside 62443 (issue 19): each loads with its requirements, sources and
//! licence, and the mappings that carry 62443 answers to them say why and how surely.

use std::collections::BTreeSet;
use tekigo_catalog::{Catalog, Lang, Standard};

fn catalog() -> &'static Catalog {
    Catalog::builtin().expect("the built-in catalogs load")
}

/// Items no other item of the standard names as parent: what a regime view judges.
fn leaves(std: &Standard) -> Vec<&str> {
    let parents: BTreeSet<&str> = std
        .items
        .iter()
        .filter_map(|i| i.parent.as_deref())
        .collect();
    std.items
        .iter()
        .map(|i| i.id.as_str())
        .filter(|id| !parents.contains(id))
        .collect()
}

#[test]
fn every_regime_loads_with_its_requirements() {
    // (id, requirements) as counted in the publications: CRA Annex I 1 + 13 + 8 and nine
    // tracked obligations; EN 303 645 V2.1.1 clauses 5 and 6 (62 + 5); SSDF 42 tasks; CSF 2.0 106
    // subcategories; SP 800-171r3 97 requirements.
    let expected = [
        ("eu-cra", 31),
        ("etsi-en-303-645", 67),
        ("jc-star-1", 16),
        ("uk-psti", 3),
        ("nistir-8425", 18),
        ("sg-cls", 4),
        ("sp800-218", 42),
        ("csf-2.0", 106),
        ("sp800-171r3", 97),
    ];
    for (id, n) in expected {
        let std = catalog()
            .standard(id)
            .unwrap_or_else(|| panic!("{id} is missing"));
        assert!(std.info.regime, "{id} is not marked as a regime");
        assert_eq!(leaves(std).len(), n, "{id}");
        for field in [&std.info.published, &std.info.source, &std.info.licence] {
            assert!(
                field.as_deref().is_some_and(|f| !f.trim().is_empty()),
                "{id}"
            );
        }
        for item in &std.items {
            assert!(
                !item.title.ja.is_empty() && !item.title.en.is_empty(),
                "{}",
                item.id
            );
            assert!(item.confidence.is_some(), "{}", item.id);
        }
    }
}

#[test]
fn cra_names_annex_i_and_the_reporting_clock() {
    let std = catalog().standard("eu-cra").unwrap();
    let ids = leaves(std);
    for letter in 'a'..='m' {
        assert!(
            ids.contains(&format!("CRA I.2({letter})").as_str()),
            "{letter}"
        );
    }
    for n in 1..=8 {
        assert!(ids.contains(&format!("CRA II.{n}").as_str()), "{n}");
    }
    let report = std.item("CRA 14(1)").unwrap();
    assert!(
        report.summary.en.contains("24 hours") && report.summary.en.contains("11 September 2026")
    );
    // EU text may be reproduced: Part I item 2(a) carries the regulation's own words.
    assert!(std
        .item("CRA I.2(a)")
        .unwrap()
        .summary
        .en
        .contains("without known exploitable vulnerabilities"));
}

#[test]
fn etsi_provisions_carry_their_status() {
    let std = catalog().standard("etsi-en-303-645").unwrap();
    let requirements: Vec<_> = std.items.iter().filter(|i| i.parent.is_some()).collect();
    assert!(requirements.iter().all(|i| i.obligation.is_some()));
    let of = |id: &str| std.item(id).unwrap().obligation.unwrap().as_str();
    assert_eq!(of("5.1-1"), "mandatory-conditional");
    assert_eq!(of("5.2-1"), "mandatory");
    assert_eq!(of("5.3-1"), "recommended");
}

/// The 62443 items a regime item is mapped to, both directions.
fn mapped(id: &str) -> BTreeSet<String> {
    catalog()
        .cross_refs(id)
        .filter(|x| x.standard.starts_with("62443-"))
        .map(|x| x.id.to_string())
        .collect()
}

#[test]
fn no_universal_default_password_rests_on_cr_1_5_in_every_regime() {
    for id in ["5.1-1", "PSTI 1", "S1.1-02"] {
        assert!(mapped(id).contains("CR 1.5"), "{id}: {:?}", mapped(id));
    }
}

#[test]
fn ssdf_mapping_is_the_publication_s_reference_column() {
    // SP 800-218 Table 1 cites, for example, PO.1.1 -> SM-7, SM-9 and RV.1.3 -> DM-1..DM-5,
    // and no 62443-4-1 requirement for PO.2.3.
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(mapped("PO.1.1"), set(&["SM-7", "SM-9"]));
    assert_eq!(
        mapped("RV.1.3"),
        set(&["DM-1", "DM-2", "DM-3", "DM-4", "DM-5"])
    );
    assert!(mapped("PO.2.3").is_empty());
}

#[test]
fn seed_003_gaps_of_sp800_171_are_filled() {
    // Seed 003 cites 3.9.2 (personnel actions) and 3.10.2 (physical facilities); both are
    // mapped in r2 and in r3, and the rationale names the seed's reading.
    for id in ["3.9.2", "3.10.2", "03.09.02", "03.10.02"] {
        assert!(!mapped(id).is_empty(), "{id}");
    }
    let why = catalog()
        .cross_refs("03.10.02")
        .find(|x| x.id == "EDR 3.11")
        .unwrap()
        .mapping
        .rationale
        .get(Lang::Ja)
        .to_string();
    assert!(why.contains("seed 003"), "{why}");
}

#[test]
fn regime_mappings_all_say_why_and_how_surely() {
    let c = catalog();
    let regime = |s: &str| c.standard(s).is_some_and(|s| s.info.regime);
    let mut n = 0;
    for set in c.mappings.iter().filter(|m| regime(&m.to)) {
        for m in &set.mappings {
            assert!(
                m.confidence.is_some() && !m.rationale.en.is_empty() && !m.rationale.ja.is_empty()
            );
            assert!(
                !m.reviewed,
                "{} -> {}: nobody reviewed it yet",
                m.from, m.to
            );
            n += 1;
        }
    }
    assert!(n > 300, "{n} regime mappings");
}
