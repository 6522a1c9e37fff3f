//! The built-in catalogs against the reference data they were built from
//! (`catalogs/sources/*.csv`), read here with a plain CSV reader and a plain rule, so that a
//! bug in the catalog code cannot hide behind the same bug in the test.

use proptest::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use tekigo_catalog::{Catalog, ChecklistQuery, ComponentType, ItemKind, Lang, SlVector};

fn sources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalogs/sources")
}

fn catalog() -> &'static Catalog {
    Catalog::builtin().unwrap_or_else(|e| panic!("{e}"))
}

/// A row of a reference requirements CSV, as the data says it.
struct RefRow {
    id: String,
    fr: usize,
    applies_to: String,
    /// Y/N/? per SL 1..4.
    levels: [String; 4],
}

fn reference(file: &str) -> Vec<RefRow> {
    let mut reader = csv::Reader::from_path(sources().join(file)).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, fr, sl1) = (col("id"), col("fr"), col("sl_c1"));
    let applies = headers.iter().position(|h| h == "applies_to");
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let fr_text = &r[fr];
            RefRow {
                id: r[id].to_string(),
                fr: fr_text.split_whitespace().nth(1).unwrap().parse().unwrap(),
                applies_to: applies.map(|a| r[a].to_string()).unwrap_or_default(),
                levels: std::array::from_fn(|i| r[sl1 + i].trim().to_string()),
            }
        })
        .collect()
}

/// The plain rule: a row applies to a type at a vector when the reference marks its FR's
/// target level with Y and the row binds that type.
fn expected(rows: &[RefRow], ty: Option<ComponentType>, v: &SlVector) -> BTreeSet<String> {
    rows.iter()
        .filter(|r| {
            let level = v.0[r.fr - 1];
            let binds = match ty {
                None => true,
                Some(t) => r.applies_to == "all component types" || r.applies_to == t.code(),
            };
            binds && level > 0 && r.levels[usize::from(level) - 1] == "Y"
        })
        .map(|r| r.id.clone())
        .collect()
}

fn actual(standard: &str, ty: Option<ComponentType>, v: SlVector) -> BTreeSet<String> {
    let q = ChecklistQuery {
        standard: standard.into(),
        component_type: ty,
        target: Some(v),
    };
    catalog()
        .checklist(&q)
        .unwrap()
        .1
        .into_iter()
        .map(|i| i.id.clone())
        .collect()
}

fn count(standard: &str, kinds: &[ItemKind]) -> usize {
    catalog()
        .standard(standard)
        .unwrap()
        .items
        .iter()
        .filter(|i| kinds.contains(&i.kind))
        .count()
}

#[test]
fn counts_match_the_reference() {
    assert_eq!(count("62443-4-2", &[ItemKind::Cr]), 58);
    assert_eq!(count("62443-4-2", &[ItemKind::Re]), 49);
    assert_eq!(
        count(
            "62443-4-2",
            &[ItemKind::Sar, ItemKind::Edr, ItemKind::Hdr, ItemKind::Ndr]
        ),
        30
    );
    assert_eq!(count("62443-3-3", &[ItemKind::Sr]), 51);
    assert_eq!(count("62443-3-3", &[ItemKind::Re]), 49);
    assert_eq!(count("62443-4-1", &[ItemKind::Requirement]), 47);
    assert_eq!(count("62443-4-1", &[ItemKind::Practice]), 8);
    assert_eq!(count("62443-2-1", &[ItemKind::Requirement]), 87);
    assert_eq!(count("62443-2-1", &[ItemKind::Spe]), 8);
    assert_eq!(count("62443-2-1", &[ItemKind::Element]), 16);
    assert_eq!(count("62443-3-2", &[ItemKind::Requirement]), 32);
    assert_eq!(count("62443-3-2", &[ItemKind::Step]), 7);
}

#[test]
fn headings_defer_or_have_no_requirement() {
    let std = catalog().standard("62443-4-2").unwrap();
    let deferring: BTreeSet<&str> = std
        .items
        .iter()
        .filter(|i| !i.defers_to.is_empty())
        .map(|i| i.id.as_str())
        .collect();
    let expected: BTreeSet<&str> = [
        "CR 1.6", "CR 1.13", "CR 2.4", "CR 2.13", "CR 3.2", "CR 3.10", "CR 3.11", "CR 3.12",
        "CR 3.13", "CR 3.14", "CR 5.2", "CR 5.3",
    ]
    .into();
    assert_eq!(deferring, expected);
    let none: BTreeSet<&str> = std
        .items
        .iter()
        .filter(|i| i.no_component_requirement)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(none, ["CR 2.3", "CR 5.4", "CR 7.5"].into());
    assert_eq!(
        std.item("CR 2.4").unwrap().defers_to,
        ["SAR 2.4", "EDR 2.4", "HDR 2.4", "NDR 2.4"]
    );
}

#[test]
fn every_62443_item_has_japanese_title_and_the_technical_parts_have_summaries() {
    for std in catalog()
        .standards
        .iter()
        .filter(|s| s.info.id.starts_with("62443-"))
    {
        for item in &std.items {
            assert!(
                !item.title.ja.trim().is_empty(),
                "{}: no Japanese title",
                item.id
            );
            assert!(!item.phases.is_empty(), "{}: no lifecycle phase", item.id);
            if std.info.id == "62443-4-2" || std.info.id == "62443-3-3" {
                assert!(
                    !item.summary.en.trim().is_empty(),
                    "{}: no English summary",
                    item.id
                );
                assert!(
                    !item.summary.ja.trim().is_empty(),
                    "{}: no Japanese summary",
                    item.id
                );
            }
        }
    }
}

#[test]
fn summaries_are_not_normative_text() {
    // EU, UK and NIST texts may be reproduced with the source named; the rest may not.
    for std in catalog().standards.iter().filter(|s| !s.info.text_reusable) {
        for item in &std.items {
            let s = item.summary.en.to_lowercase();
            assert!(
                !s.contains(" shall "),
                "{}: summary reads like normative text: {s}",
                item.id
            );
        }
    }
}

#[test]
fn cr_1_1_reads_in_japanese() {
    let (_, item) = catalog().find("CR1.1").unwrap();
    assert_eq!(item.id, "CR 1.1");
    assert!(
        item.title.get(Lang::Ja).contains("認証"),
        "{}",
        item.title.ja
    );
}

#[test]
fn seed_check_sheet_levels_for_cr_1_1() {
    // Seed 004: SL-C1 CR 1.1; SL-C2 adds RE(1); SL-C3 and 4 add RE(2).
    let ids = |sl| {
        actual(
            "62443-4-2",
            Some(ComponentType::Embedded),
            SlVector([sl, 0, 0, 0, 0, 0, 0]),
        )
    };
    let cr11 = |set: BTreeSet<String>| {
        set.into_iter()
            .filter(|i| i == "CR 1.1" || i.starts_with("CR 1.1 "))
            .collect::<Vec<_>>()
    };
    assert_eq!(cr11(ids(1)), ["CR 1.1"]);
    assert_eq!(cr11(ids(2)), ["CR 1.1", "CR 1.1 RE(1)"]);
    assert_eq!(cr11(ids(4)), ["CR 1.1", "CR 1.1 RE(1)", "CR 1.1 RE(2)"]);
}

#[test]
fn every_type_level_and_fr_agrees_with_the_reference() {
    let r42 = reference("iec62443-4-2_requirements.csv");
    let r33 = reference("iec62443-3-3_requirements.csv");
    for level in 0..=4u8 {
        for fr in 0..7 {
            let mut v = SlVector::uniform(0);
            v.0[fr] = level;
            for ty in ComponentType::ALL {
                assert_eq!(
                    actual("62443-4-2", Some(ty), v),
                    expected(&r42, Some(ty), &v),
                    "{ty} {v}"
                );
            }
            assert_eq!(
                actual("62443-3-3", None, v),
                expected(&r33, None, &v),
                "3-3 {v}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn mixed_vectors_agree_with_the_reference(levels in proptest::array::uniform7(0u8..=4), ty in 0usize..4) {
        let v = SlVector(levels);
        let ty = ComponentType::ALL[ty];
        let r42 = reference("iec62443-4-2_requirements.csv");
        prop_assert_eq!(actual("62443-4-2", Some(ty), v), expected(&r42, Some(ty), &v));
        let r33 = reference("iec62443-3-3_requirements.csv");
        prop_assert_eq!(actual("62443-3-3", None, v), expected(&r33, None, &v));
    }
}

#[test]
fn every_mapping_points_at_real_items() {
    let cat = catalog();
    let mut per_pair: HashMap<(String, String), usize> = HashMap::new();
    for set in &cat.mappings {
        for m in &set.mappings {
            assert!(
                cat.standard(&set.from).unwrap().item(&m.from).is_some(),
                "{}",
                m.from
            );
            assert!(
                cat.standard(&set.to).unwrap().item(&m.to).is_some(),
                "{}",
                m.to
            );
            *per_pair
                .entry((set.from.clone(), set.to.clone()))
                .or_default() += 1;
        }
    }
    for pair in [
        ("62443-4-2", "62443-3-3"),
        ("62443-3-3", "csf-1.1"),
        ("62443-4-2", "sp800-171r2"),
    ] {
        assert!(
            per_pair
                .get(&(pair.0.into(), pair.1.into()))
                .is_some_and(|n| *n > 20),
            "{pair:?}: {per_pair:?}"
        );
    }
    let cr11: Vec<_> = cat
        .cross_refs("CR 1.1")
        .map(|x| (x.standard, x.id))
        .collect();
    assert!(cr11.contains(&("62443-3-3", "SR 1.1")), "{cr11:?}");
}
