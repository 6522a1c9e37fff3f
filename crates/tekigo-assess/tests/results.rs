//! The achieved vector and the maturity levels, checked against a plain recomputation that
//! takes applicability from the catalog's checklist rule instead of `results::rows`.

mod common;

use common::{answer, catalog};
use proptest::prelude::*;
use std::collections::BTreeMap;
use tekigo_assess::edit::{new_assessment, NewAssessment};
use tekigo_assess::{compute, Answer, Assessment, Status};
use tekigo_catalog::{ChecklistQuery, ComponentType, Fr, SlVector};

fn assessment(standard: &str, ty: Option<ComponentType>, target: SlVector) -> Assessment {
    new_assessment(
        catalog(),
        NewAssessment {
            id: "A".into(),
            standard: standard.into(),
            subject: "device".into(),
            component_type: ty,
            version: None,
            target_sl: Some(target),
            target_ml: None,
        },
    )
    .expect("new assessment")
}

/// The reference: FR f reaches L when every item the checklist lists for SL-T L in f is met.
fn reference_achieved(
    standard: &str,
    ty: Option<ComponentType>,
    answers: &BTreeMap<String, Answer>,
) -> [u8; 7] {
    let mut out = [0u8; 7];
    for fr in Fr::ALL {
        for level in 1..=4u8 {
            let (_, items) = catalog()
                .checklist(&ChecklistQuery {
                    standard: standard.into(),
                    component_type: ty,
                    target: Some(SlVector::uniform(level)),
                })
                .expect("checklist");
            let met = items.iter().filter(|i| i.fr == Some(fr)).all(|i| {
                answers.get(&i.id).is_some_and(|a| {
                    matches!(
                        a.status,
                        Status::Satisfied | Status::NotApplicable | Status::Compensating
                    )
                })
            });
            if !met {
                break;
            }
            out[fr.index()] = level;
        }
    }
    out
}

fn all_ids(standard: &str, ty: Option<ComponentType>) -> Vec<String> {
    let (_, items) = catalog()
        .checklist(&ChecklistQuery {
            standard: standard.into(),
            component_type: ty,
            target: Some(SlVector::uniform(4)),
        })
        .expect("checklist");
    items.iter().map(|i| i.id.clone()).collect()
}

fn status_strategy() -> impl Strategy<Value = Option<Status>> {
    prop_oneof![
        3 => Just(Some(Status::Satisfied)),
        1 => Just(Some(Status::Partial)),
        1 => Just(Some(Status::NotSatisfied)),
        1 => Just(Some(Status::NotApplicable)),
        1 => Just(Some(Status::Compensating)),
        1 => Just(None),
    ]
}

fn case_strategy() -> impl Strategy<Value = (usize, Vec<Option<Status>>, [u8; 7], bool)> {
    // Mostly-met answer sets, so that high levels are reached often enough to matter.
    (
        0usize..5,
        prop::collection::vec(status_strategy(), 200),
        prop::array::uniform7(0u8..=4),
        any::<bool>(),
    )
}

const SUBJECTS: [(&str, Option<ComponentType>); 5] = [
    ("62443-4-2", Some(ComponentType::Embedded)),
    ("62443-4-2", Some(ComponentType::Network)),
    ("62443-4-2", Some(ComponentType::Host)),
    ("62443-4-2", Some(ComponentType::Software)),
    ("62443-3-3", None),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn achieved_vector_matches_the_reference((subject, statuses, target, all_met_first) in case_strategy()) {
        let (standard, ty) = SUBJECTS[subject];
        let ids = all_ids(standard, ty);
        let mut a = assessment(standard, ty, SlVector(target));
        for (i, id) in ids.iter().enumerate() {
            // Half the cases answer everything "met" below a random cut, to reach SL 3-4.
            let status = if all_met_first && i < ids.len() * 3 / 4 { Some(Status::Satisfied) } else { statuses[i % statuses.len()] };
            if let Some(s) = status {
                a.answers.insert(id.clone(), answer(s));
            }
        }
        let standard_ref = catalog().standard(standard).expect("standard");
        let results = compute(standard_ref, &a);
        prop_assert_eq!(results.achieved, Some(reference_achieved(standard, ty, &a.answers)));
        prop_assert_eq!(results.target, Some(target));
        // Every gap is an in-scope requirement that is not met, and vice versa.
        let (_, in_scope) = catalog().checklist(&ChecklistQuery { standard: standard.into(), component_type: ty, target: Some(SlVector(target)) }).expect("checklist");
        let expected_gaps: Vec<&str> = in_scope.iter().filter(|i| !a.answers.get(&i.id).is_some_and(|x| x.status.is_met())).map(|i| i.id.as_str()).collect();
        let gaps: Vec<&str> = results.gaps.iter().map(|g| g.id.as_str()).collect();
        prop_assert_eq!(gaps, expected_gaps);
        prop_assert_eq!(results.progress.in_scope, in_scope.len());
    }
}

#[test]
fn every_requirement_met_reaches_four_and_no_answer_reaches_zero() {
    let ty = Some(ComponentType::Embedded);
    let mut a = assessment("62443-4-2", ty, SlVector::uniform(2));
    let r = compute(catalog().standard("62443-4-2").unwrap(), &a);
    assert_eq!(r.achieved, Some([0; 7]));
    assert_eq!(r.progress.confirmed_percent, 0.0);
    for id in all_ids("62443-4-2", ty) {
        a.answers.insert(id, answer(Status::Satisfied));
    }
    let r = compute(catalog().standard("62443-4-2").unwrap(), &a);
    assert_eq!(r.achieved, Some([4; 7]));
    assert!(r.gaps.is_empty());
    assert_eq!(r.progress.confirmed_percent, 100.0);
}

#[test]
fn compensating_answers_count_and_are_flagged_per_fr() {
    let ty = Some(ComponentType::Embedded);
    let mut a = assessment("62443-4-2", ty, SlVector::uniform(1));
    for id in all_ids("62443-4-2", ty) {
        a.answers.insert(id, answer(Status::Satisfied));
    }
    a.answers
        .insert("CR 1.1".into(), answer(Status::Compensating));
    let r = compute(catalog().standard("62443-4-2").unwrap(), &a);
    assert_eq!(r.achieved.unwrap()[0], 4);
    assert_eq!(r.frs[0].compensating, vec!["CR 1.1".to_string()]);
    assert!(r.frs[1].compensating.is_empty());
    // Partial is not met: FR 1 drops to 0 because CR 1.1 applies from SL 1.
    a.answers.insert("CR 1.1".into(), answer(Status::Partial));
    let r = compute(catalog().standard("62443-4-2").unwrap(), &a);
    assert_eq!(r.achieved.unwrap()[0], 0);
    assert_eq!(
        r.gaps.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        ["CR 1.1"]
    );
}

#[test]
fn maturity_is_the_lowest_level_per_practice_and_overall() {
    let mut a = new_assessment(
        catalog(),
        NewAssessment {
            id: "P".into(),
            standard: "62443-4-1".into(),
            subject: "org".into(),
            component_type: None,
            version: None,
            target_sl: None,
            target_ml: Some(2),
        },
    )
    .unwrap();
    let standard = catalog().standard("62443-4-1").unwrap();
    let ids: Vec<String> = standard
        .items
        .iter()
        .filter(|i| i.is_requirement())
        .map(|i| i.id.clone())
        .collect();
    for id in &ids {
        let mut x = answer(Status::Satisfied);
        x.maturity = Some(3);
        a.answers.insert(id.clone(), x);
    }
    let r = compute(standard, &a);
    assert_eq!(r.achieved_ml, Some(3));
    assert!(r.gaps.is_empty());
    assert!(r.groups.iter().all(|g| g.achieved_ml == 3));
    // One requirement of practice 1 at ML 1 pulls practice 1 and the whole down to 1.
    a.answers.get_mut("SM-1").unwrap().maturity = Some(1);
    // A not-applicable requirement does not hold its practice back.
    a.answers
        .insert("SM-2".into(), answer(Status::NotApplicable));
    let r = compute(standard, &a);
    assert_eq!(r.achieved_ml, Some(1));
    let p1 = r.groups.iter().find(|g| g.id == "Practice 1").unwrap();
    assert_eq!(p1.achieved_ml, 1);
    assert_eq!(
        r.gaps.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        ["SM-1"]
    );
    let confirmed = ids.len() - 1;
    assert_eq!(r.progress.met, confirmed);
    let expected = (confirmed as f64 * 1000.0 / ids.len() as f64).round() / 10.0;
    assert_eq!(r.progress.confirmed_percent, expected);
}
