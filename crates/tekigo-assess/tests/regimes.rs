//! Regime views (issue 19): the acceptance case of CR 1.5 and the no-universal-default-
//! password requirements, direct answers, a 4-2 and a 4-1 assessment combined, and the
//! status and coverage of every requirement of every regime checked against a plain
//! recomputation from the mapping files and the checklist rule, over random answers.

mod common;

use common::catalog;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use tekigo_assess::edit::{new_assessment, NewAssessment};
use tekigo_assess::regime::{view, Coverage, RegimeStatus, RegimeView};
use tekigo_assess::{Answer, Assessment, EvidenceRef, Status};
use tekigo_catalog::{ChecklistQuery, ComponentType, Lang, Level, Relationship, SlVector};

/// An answer with a link as its evidence, so that a view can be seen to carry it.
fn answer(status: Status) -> Answer {
    Answer {
        evidence: vec![EvidenceRef::Url {
            url: "https://example.com/evidence".into(),
        }],
        ..common::answer(status)
    }
}

fn component(id: &str, ty: ComponentType, sl: Level) -> Assessment {
    new_assessment(
        catalog(),
        NewAssessment {
            id: id.into(),
            standard: "62443-4-2".into(),
            subject: "gateway".into(),
            component_type: Some(ty),
            version: None,
            target_sl: Some(SlVector::uniform(sl)),
            target_ml: None,
        },
    )
    .unwrap()
}

fn process(id: &str, ml: Level) -> Assessment {
    new_assessment(
        catalog(),
        NewAssessment {
            id: id.into(),
            standard: "62443-4-1".into(),
            subject: "maker".into(),
            component_type: None,
            version: None,
            target_sl: None,
            target_ml: Some(ml),
        },
    )
    .unwrap()
}

fn of(a: &[&Assessment], regime: &str) -> RegimeView {
    view(catalog(), catalog().standard(regime).unwrap(), a, Lang::En)
}

fn row<'a>(v: &'a RegimeView, id: &str) -> &'a tekigo_assess::regime::RegimeRequirement {
    v.requirements.iter().find(|r| r.id == id).unwrap()
}

#[test]
fn default_passwords_follow_cr_1_5_in_en_303_645_psti_and_jc_star() {
    let mut a = component("A", ComponentType::Embedded, 2);
    a.answers
        .insert("CR 1.5".into(), answer(Status::NotSatisfied));
    a.answers.insert("CR 1.7".into(), answer(Status::Satisfied));
    for (regime, id) in [
        ("etsi-en-303-645", "5.1-1"),
        ("uk-psti", "PSTI 1"),
        ("jc-star-1", "S1.1-02"),
    ] {
        let v = of(&[&a], regime);
        let r = row(&v, id);
        assert_eq!(r.status, RegimeStatus::NotMet, "{id}");
        assert!(r.via.contains(&"CR 1.5".to_string()), "{id}: {:?}", r.via);
        assert_eq!(
            r.basis[0].evidence.len(),
            1,
            "the answer's evidence is attached"
        );
    }
    a.answers.insert("CR 1.5".into(), answer(Status::Satisfied));
    for (regime, id) in [
        ("etsi-en-303-645", "5.1-1"),
        ("uk-psti", "PSTI 1"),
        ("jc-star-1", "S1.1-02"),
    ] {
        assert_eq!(
            row(&of(&[&a], regime), id).status,
            RegimeStatus::Met,
            "{id}"
        );
    }
    // PSTI 1 also rests on CR 1.7: while that is open the requirement is only partly met.
    a.answers.remove("CR 1.7");
    assert_eq!(
        row(&of(&[&a], "uk-psti"), "PSTI 1").status,
        RegimeStatus::Partial
    );
}

#[test]
fn a_direct_answer_decides_and_unmapped_requirements_are_named() {
    let mut a = component("A", ComponentType::Embedded, 2);
    a.answers.insert("CR 1.5".into(), answer(Status::Satisfied));
    let v = of(&[&a], "etsi-en-303-645");
    // 6-1 (information on personal data processing) has no 62443 counterpart.
    let info = row(&v, "6-1");
    assert_eq!(info.coverage, Coverage::NoMapping);
    assert_eq!(info.status, RegimeStatus::NotAssessed);
    assert!(info.via.is_empty());
    // Answered directly in the same assessment, it is judged by that answer.
    a.answers.insert("6-1".into(), answer(Status::Partial));
    a.answers
        .insert("5.1-1".into(), answer(Status::NotSatisfied));
    let v = of(&[&a], "etsi-en-303-645");
    assert_eq!(row(&v, "6-1").status, RegimeStatus::Partial);
    assert!(row(&v, "6-1").direct);
    let pw = row(&v, "5.1-1");
    assert_eq!((pw.status, pw.direct), (RegimeStatus::NotMet, true));
    assert_eq!(pw.via, vec!["5.1-1".to_string()]);
    // The file with direct answers passes the assessment rules.
    tekigo_assess::check(catalog(), &a).unwrap();
}

#[test]
fn cra_part_ii_needs_the_4_1_assessment_beside_the_4_2_one() {
    let a = component("A", ComponentType::Embedded, 2);
    let v = of(&[&a], "eu-cra");
    assert_eq!(row(&v, "CRA II.7").coverage, Coverage::NotCovered);
    let mut p = process("P", 2);
    let mut sum4 = answer(Status::Satisfied);
    sum4.maturity = Some(2);
    p.answers.insert("SUM-4".into(), sum4);
    let v = of(&[&a, &p], "eu-cra");
    let r = row(&v, "CRA II.7");
    assert_eq!(r.coverage, Coverage::Covered, "SUM-4 is a superset of II.7");
    assert_eq!(r.status, RegimeStatus::Met);
    assert_eq!(r.basis[0].assessment, "P");
    assert_eq!(v.assessments, vec!["A".to_string(), "P".to_string()]);
}

// ---- the plain recomputation

/// 62443 items mapped to `id`, with the relationship read from the 62443 side, taken
/// straight from the mapping files, then those of what it includes.
fn plain_sources(id: &str, seen: &mut BTreeSet<String>) -> BTreeMap<String, Relationship> {
    let mut out = BTreeMap::new();
    if !seen.insert(id.to_string()) {
        return out;
    }
    for set in &catalog().mappings {
        for m in &set.mappings {
            if m.to == id && set.from.starts_with("62443-") {
                out.entry(m.from.clone()).or_insert(m.relationship);
            }
            if m.from == id && set.to.starts_with("62443-") {
                let r = match m.relationship {
                    Relationship::Subset => Relationship::Superset,
                    Relationship::Superset => Relationship::Subset,
                    r => r,
                };
                out.entry(m.to.clone()).or_insert(r);
            }
        }
    }
    let includes = catalog()
        .find(id)
        .map(|(_, i)| i.includes.clone())
        .unwrap_or_default();
    for inc in includes {
        for (k, v) in plain_sources(&inc, seen) {
            out.entry(k).or_insert(v);
        }
    }
    out
}

fn plain(
    regime: &str,
    a: &Assessment,
    in_scope: &BTreeSet<String>,
) -> Vec<(String, RegimeStatus, Coverage)> {
    let std = catalog().standard(regime).unwrap();
    let parents: BTreeSet<&str> = std
        .items
        .iter()
        .filter_map(|i| i.parent.as_deref())
        .collect();
    let own: BTreeSet<&str> = catalog()
        .standard(&a.standard)
        .unwrap()
        .items
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    let mut out = Vec::new();
    for item in std
        .items
        .iter()
        .filter(|i| !parents.contains(i.id.as_str()))
    {
        let sources = plain_sources(&item.id, &mut BTreeSet::new());
        let counting: Vec<(&String, &Relationship)> = sources
            .iter()
            .filter(|(id, _)| own.contains(id.as_str()))
            .filter(|(id, _)| in_scope.contains(*id) || a.answers.contains_key(*id))
            .collect();
        let coverage = if sources.is_empty() {
            Coverage::NoMapping
        } else if counting.is_empty() {
            Coverage::NotCovered
        } else if counting
            .iter()
            .any(|(_, r)| **r == Relationship::Equal || **r == Relationship::Superset)
        {
            Coverage::Covered
        } else {
            Coverage::Partly
        };
        let answers: Vec<Option<Status>> = match a.answers.get(&item.id) {
            Some(direct) => vec![Some(direct.status)],
            None => counting
                .iter()
                .map(|(id, _)| a.answers.get(*id).map(|x| x.status))
                .collect(),
        };
        let answered = answers.iter().flatten().count();
        let not_satisfied = answers
            .iter()
            .flatten()
            .filter(|s| **s == Status::NotSatisfied)
            .count();
        let met = answers
            .iter()
            .flatten()
            .filter(|s| {
                matches!(
                    s,
                    Status::Satisfied | Status::NotApplicable | Status::Compensating
                )
            })
            .count();
        let status = if answered == 0 {
            RegimeStatus::NotAssessed
        } else if not_satisfied > 0 {
            RegimeStatus::NotMet
        } else if met == answers.len() {
            RegimeStatus::Met
        } else {
            RegimeStatus::Partial
        };
        out.push((item.id.clone(), status, coverage));
    }
    out
}

const REGIMES: [&str; 9] = [
    "eu-cra",
    "etsi-en-303-645",
    "jc-star-1",
    "uk-psti",
    "nistir-8425",
    "sg-cls",
    "sp800-218",
    "csf-2.0",
    "sp800-171r3",
];

fn statuses() -> impl Strategy<Value = Option<Status>> {
    prop_oneof![
        Just(None),
        Just(Some(Status::Satisfied)),
        Just(Some(Status::Partial)),
        Just(Some(Status::NotSatisfied)),
        Just(Some(Status::NotApplicable)),
        Just(Some(Status::Compensating)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_regime_agrees_with_the_plain_recomputation(
        ty in prop::sample::select(ComponentType::ALL.to_vec()),
        sl in 1u8..=4,
        picks in prop::collection::vec(statuses(), 160),
    ) {
        let mut a = component("A", ty, sl);
        let all: Vec<String> = catalog()
            .standard("62443-4-2")
            .unwrap()
            .items
            .iter()
            .filter(|i| tekigo_assess::results::applies_at_some_level(i, Some(ty)))
            .map(|i| i.id.clone())
            .collect();
        for (id, pick) in all.iter().zip(&picks) {
            if let Some(s) = pick {
                a.answers.insert(id.clone(), answer(*s));
            }
        }
        let (_, items) = catalog()
            .checklist(&ChecklistQuery {
                standard: "62443-4-2".into(),
                component_type: Some(ty),
                target: Some(SlVector::uniform(sl)),
            })
            .unwrap();
        let in_scope: BTreeSet<String> = items.iter().map(|i| i.id.clone()).collect();
        for regime in REGIMES {
            let got: Vec<(String, RegimeStatus, Coverage)> = of(&[&a], regime)
                .requirements
                .into_iter()
                .map(|r| (r.id, r.status, r.coverage))
                .collect();
            prop_assert_eq!(got, plain(regime, &a, &in_scope), "{}", regime);
        }
    }
}
