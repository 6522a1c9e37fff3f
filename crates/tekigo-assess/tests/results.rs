//! The three vectors (claimed, projected, with compensating countermeasures) and the
//! maturity levels, checked against a plain recomputation that takes applicability from the
//! catalog's checklist rule instead of `results::rows`.

mod common;

use common::{answer, catalog};
use proptest::prelude::*;
use std::collections::BTreeMap;
use tekigo_assess::edit::{new_assessment, NewAssessment};
use tekigo_assess::{
    compute, compute_with, Answer, Assessment, Origin, Review, ReviewPolicy, Status,
};
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

/// How the reference counts answers: a plain restatement of the rule in `results.rs`.
#[derive(Clone, Copy, PartialEq)]
enum Counting {
    Claimed,
    Projected,
    WithCompensating,
}

fn reference_meets(a: &Answer, counting: Counting, required: bool, system: bool) -> bool {
    // An inherited answer stands as it stood upstream, unless it changed there since.
    let upstream = a
        .inherited
        .as_ref()
        .filter(|_| a.origin == Origin::Inherited)
        .map(|i| i.counted && !i.changed_upstream);
    let stands = match (counting, required) {
        (Counting::Projected, _) => true,
        (_, true) => a.review == Review::Reviewed && upstream != Some(false),
        (_, false) => match upstream {
            Some(counted) => counted,
            None => a.origin == Origin::Person || a.review == Review::Reviewed,
        },
    };
    let status = match a.status {
        Status::Satisfied | Status::NotApplicable => true,
        Status::Compensating => system || counting == Counting::WithCompensating,
        _ => false,
    };
    // A requirement left to another party is not met here, whatever the status says.
    stands && status && a.deferred_to.is_none()
}

/// The reference: FR f reaches L when every item the checklist lists for SL-T L in f is
/// met; the flag says the items first listed at the last level that added any are all
/// not applicable.
fn reference_vector(
    standard: &str,
    ty: Option<ComponentType>,
    answers: &BTreeMap<String, Answer>,
    counting: Counting,
    required: bool,
) -> ([u8; 7], [bool; 7]) {
    let system = ty.is_none();
    let mut out = [0u8; 7];
    let mut na_only = [false; 7];
    for fr in Fr::ALL {
        let mut previous: Vec<String> = Vec::new();
        for level in 1..=4u8 {
            let (_, items) = catalog()
                .checklist(&ChecklistQuery {
                    standard: standard.into(),
                    component_type: ty,
                    target: Some(SlVector::uniform(level)),
                })
                .expect("checklist");
            let of_fr: Vec<&tekigo_catalog::Item> =
                items.iter().copied().filter(|i| i.fr == Some(fr)).collect();
            let met = of_fr.iter().all(|i| {
                answers
                    .get(&i.id)
                    .is_some_and(|a| reference_meets(a, counting, required, system))
            });
            if !met {
                break;
            }
            out[fr.index()] = level;
            let added: Vec<&tekigo_catalog::Item> = of_fr
                .iter()
                .copied()
                .filter(|i| !previous.contains(&i.id))
                .collect();
            if !added.is_empty() {
                na_only[fr.index()] = added
                    .iter()
                    .all(|i| answers[&i.id].status == Status::NotApplicable);
            }
            previous = of_fr.iter().map(|i| i.id.clone()).collect();
        }
    }
    (out, na_only)
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
        2 => Just(Some(Status::NotApplicable)),
        2 => Just(Some(Status::Compensating)),
        1 => Just(None),
    ]
}

/// Who gave an answer and whether it was reviewed.
fn provenance_strategy() -> impl Strategy<Value = (Origin, Review)> {
    prop_oneof![
        3 => Just((Origin::Person, Review::Draft)),
        2 => Just((Origin::Person, Review::Reviewed)),
        2 => Just((Origin::Scan, Review::Draft)),
        1 => Just((Origin::Scan, Review::Reviewed)),
    ]
}

type Case = (
    usize,
    Vec<Option<Status>>,
    Vec<(Origin, Review)>,
    [u8; 7],
    bool,
    bool,
    Vec<u8>,
);

/// The layer an answer comes from: 0-3 its own, 4 inherited and counted upstream, 5
/// inherited and not counted upstream, 6 inherited but changed upstream since, 7 deferred
/// to the integrator.
fn layer_strategy() -> impl Strategy<Value = u8> {
    prop_oneof![4 => Just(0u8), 1 => Just(4), 1 => Just(5), 1 => Just(6), 1 => Just(7)]
}

fn apply_layer(x: &mut Answer, layer: u8) {
    if (4..=6).contains(&layer) {
        x.origin = Origin::Inherited;
        x.inherited = Some(tekigo_assess::Inheritance {
            package: "platform.pkg".into(),
            package_sha256: "0".repeat(64),
            signer: "1".repeat(64),
            source: "platform/P".into(),
            status: x.status,
            counted: layer != 5,
            digest: "2".repeat(64),
            changed_upstream: layer == 6,
            evidence: Vec::new(),
        });
    }
    if layer == 7 {
        x.deferred_to = Some(tekigo_assess::Role::Integrator);
    }
}

fn case_strategy() -> impl Strategy<Value = Case> {
    // Mostly-met answer sets, so that high levels are reached often enough to matter.
    (
        0usize..5,
        prop::collection::vec(status_strategy(), 200),
        prop::collection::vec(provenance_strategy(), 150),
        prop::array::uniform7(0u8..=4),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(layer_strategy(), 130),
    )
}

const SUBJECTS: [(&str, Option<ComponentType>); 5] = [
    ("62443-4-2", Some(ComponentType::Embedded)),
    ("62443-4-2", Some(ComponentType::Network)),
    ("62443-4-2", Some(ComponentType::Host)),
    ("62443-4-2", Some(ComponentType::Software)),
    ("62443-3-3", None),
];

fn build(case: &Case) -> (Assessment, &'static str, Option<ComponentType>) {
    let (subject, statuses, provenance, target, all_met_first, _, layers) = case;
    let (standard, ty) = SUBJECTS[*subject];
    let ids = all_ids(standard, ty);
    let mut a = assessment(standard, ty, SlVector(*target));
    for (i, id) in ids.iter().enumerate() {
        // Half the cases answer everything "met" below a random cut, to reach SL 3-4.
        let (status, (origin, review)) = if *all_met_first && i < ids.len() * 3 / 4 {
            (Some(Status::Satisfied), (Origin::Person, Review::Reviewed))
        } else {
            (
                statuses[i % statuses.len()],
                provenance[i % provenance.len()],
            )
        };
        if let Some(s) = status {
            let mut x = answer(s);
            x.origin = origin;
            x.review = review;
            if !(*all_met_first && i < ids.len() * 3 / 4) {
                apply_layer(&mut x, layers[i % layers.len()]);
            }
            a.answers.insert(id.clone(), x);
        }
    }
    (a, standard, ty)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn three_vectors_match_the_reference(case in case_strategy()) {
        let (a, standard, ty) = build(&case);
        let required = case.5;
        let policy = if required { ReviewPolicy::Required } else { ReviewPolicy::Optional };
        let target = case.3;
        let standard_ref = catalog().standard(standard).expect("standard");
        let results = compute_with(standard_ref, &a, policy);
        let (claimed, claimed_na) = reference_vector(standard, ty, &a.answers, Counting::Claimed, required);
        let (projected, projected_na) = reference_vector(standard, ty, &a.answers, Counting::Projected, required);
        let (with_comp, with_comp_na) = reference_vector(standard, ty, &a.answers, Counting::WithCompensating, required);
        prop_assert_eq!(results.achieved, Some(claimed));
        prop_assert_eq!(results.projected, Some(projected));
        prop_assert_eq!(results.with_compensating, ty.map(|_| with_comp));
        for (i, f) in results.frs.iter().enumerate() {
            prop_assert_eq!(f.not_applicable_only.achieved, claimed_na[i], "{} claimed", f.fr);
            prop_assert_eq!(f.not_applicable_only.projected, projected_na[i], "{} projected", f.fr);
            prop_assert_eq!(f.not_applicable_only.with_compensating, ty.is_some() && with_comp_na[i], "{} with compensating", f.fr);
        }
        prop_assert_eq!(results.target, Some(target));
        // Every gap is an in-scope requirement not met in the claimed sense, and vice versa.
        let system = ty.is_none();
        let (_, in_scope) = catalog().checklist(&ChecklistQuery { standard: standard.into(), component_type: ty, target: Some(SlVector(target)) }).expect("checklist");
        let expected_gaps: Vec<&str> = in_scope.iter().filter(|i| !a.answers.get(&i.id).is_some_and(|x| reference_meets(x, Counting::Claimed, required, system))).map(|i| i.id.as_str()).collect();
        let gaps: Vec<&str> = results.gaps.iter().map(|g| g.id.as_str()).collect();
        prop_assert_eq!(gaps, expected_gaps);
        prop_assert_eq!(results.progress.in_scope, in_scope.len());
        let scan = in_scope.iter().filter(|i| a.answers.get(&i.id).is_some_and(|x| x.origin == Origin::Scan)).count();
        prop_assert_eq!(results.progress.from_scan, scan);
    }

    /// Turning every compensating answer of a 4-2 assessment into not-satisfied leaves the
    /// claimed and projected levels as they were: compensating never raises them.
    #[test]
    fn compensating_never_raises_a_component_claim(case in case_strategy()) {
        let (mut a, standard, ty) = build(&case);
        prop_assume!(ty.is_some());
        let std = catalog().standard(standard).expect("standard");
        let with = compute(std, &a);
        for x in a.answers.values_mut() {
            if x.status == Status::Compensating {
                x.status = Status::NotSatisfied;
            }
        }
        let without = compute(std, &a);
        prop_assert_eq!(with.achieved, without.achieved);
        prop_assert_eq!(with.projected, without.projected);
        let (w, c) = (with.with_compensating.unwrap(), with.achieved.unwrap());
        prop_assert!(w.iter().zip(c).all(|(w, c)| *w >= c));
    }

    /// Adding scan-origin drafts for the unanswered requirements may raise `projected` and
    /// never changes the claimed or with-compensating levels.
    #[test]
    fn scan_drafts_raise_projected_only(case in case_strategy(), status in status_strategy()) {
        let (mut a, standard, ty) = build(&case);
        let std = catalog().standard(standard).expect("standard");
        let before = compute(std, &a);
        for id in all_ids(standard, ty) {
            a.answers.entry(id).or_insert_with(|| {
                let mut x = answer(status.unwrap_or(Status::Satisfied));
                x.origin = Origin::Scan;
                x
            });
        }
        let after = compute(std, &a);
        prop_assert_eq!(before.achieved, after.achieved);
        prop_assert_eq!(before.with_compensating, after.with_compensating);
        let (p0, p1) = (before.projected.unwrap(), after.projected.unwrap());
        prop_assert!(p0.iter().zip(p1).all(|(b, a)| a >= *b));
    }
}

#[test]
fn every_requirement_met_reaches_four_and_no_answer_reaches_zero() {
    let ty = Some(ComponentType::Embedded);
    let mut a = assessment("62443-4-2", ty, SlVector::uniform(2));
    let r = compute(catalog().standard("62443-4-2").unwrap(), &a);
    assert_eq!(r.achieved, Some([0; 7]));
    assert_eq!(r.progress.met_percent, 0.0);
    for id in all_ids("62443-4-2", ty) {
        a.answers.insert(id, answer(Status::Satisfied));
    }
    let r = compute(catalog().standard("62443-4-2").unwrap(), &a);
    assert_eq!(r.achieved, Some([4; 7]));
    assert!(r.gaps.is_empty());
    assert_eq!(r.progress.met_percent, 100.0);
}

#[test]
fn compensating_answers_count_for_a_system_but_not_for_a_components_claim() {
    let ty = Some(ComponentType::Embedded);
    let mut a = assessment("62443-4-2", ty, SlVector::uniform(1));
    for id in all_ids("62443-4-2", ty) {
        a.answers.insert(id, answer(Status::Satisfied));
    }
    a.answers
        .insert("CR 1.1".into(), answer(Status::Compensating));
    let r = compute(catalog().standard("62443-4-2").unwrap(), &a);
    // CR 1.1 applies from SL 1: the component itself does not reach SL-C 1 in FR 1.
    assert_eq!(r.achieved.unwrap()[0], 0);
    assert_eq!(r.projected.unwrap()[0], 0);
    assert_eq!(r.with_compensating.unwrap()[0], 4);
    assert_eq!(r.frs[0].compensating, vec!["CR 1.1".to_string()]);
    assert!(r.frs[1].compensating.is_empty());
    assert_eq!(
        r.gaps.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        ["CR 1.1"]
    );
    // The same answer in a 3-3 assessment counts in SL-A, which has no third vector.
    let mut s = assessment("62443-3-3", None, SlVector::uniform(1));
    for id in all_ids("62443-3-3", None) {
        s.answers.insert(id, answer(Status::Satisfied));
    }
    s.answers
        .insert("SR 1.1".into(), answer(Status::Compensating));
    let r = compute(catalog().standard("62443-3-3").unwrap(), &s);
    assert_eq!(r.achieved.unwrap()[0], 4);
    assert_eq!(r.with_compensating, None);
    assert_eq!(r.frs[0].compensating, vec!["SR 1.1".to_string()]);
}

#[test]
fn scan_drafts_count_once_confirmed_and_review_required_needs_a_reviewer() {
    let ty = Some(ComponentType::Embedded);
    let std = catalog().standard("62443-4-2").unwrap();
    let mut a = assessment("62443-4-2", ty, SlVector::uniform(1));
    for id in all_ids("62443-4-2", ty) {
        let mut x = answer(Status::Satisfied);
        x.origin = Origin::Scan;
        a.answers.insert(id, x);
    }
    let r = compute(std, &a);
    assert_eq!(r.achieved, Some([0; 7]));
    assert_eq!(r.projected, Some([4; 7]));
    assert_eq!(r.progress.met, 0);
    assert_eq!(r.progress.met_projected, r.progress.in_scope);
    assert_eq!(r.progress.from_scan, r.progress.in_scope);
    assert_eq!(r.progress.from_scan_percent, 100.0);
    assert!(r.gaps.iter().all(|g| g.unconfirmed));
    for x in a.answers.values_mut() {
        x.review = Review::Reviewed;
    }
    assert_eq!(compute(std, &a).achieved, Some([4; 7]));
    // A person's draft counts by default and not under `review: required`.
    for x in a.answers.values_mut() {
        x.review = Review::Draft;
        x.origin = Origin::Person;
    }
    assert_eq!(compute(std, &a).achieved, Some([4; 7]));
    let r = compute_with(std, &a, ReviewPolicy::Required);
    assert_eq!(r.achieved, Some([0; 7]));
    assert_eq!(r.projected, Some([4; 7]));
}

#[test]
fn a_level_reached_on_not_applicable_answers_alone_is_flagged() {
    let ty = Some(ComponentType::Embedded);
    let std = catalog().standard("62443-4-2").unwrap();
    let mut a = assessment("62443-4-2", ty, SlVector::uniform(2));
    let fr5: Vec<String> = all_ids("62443-4-2", ty)
        .into_iter()
        .filter(|id| std.item(id).and_then(|i| i.fr) == Fr::try_from(5).ok())
        .collect();
    for id in &fr5 {
        a.answers.insert(id.clone(), answer(Status::NotApplicable));
    }
    let r = compute(std, &a);
    assert_eq!(r.achieved.unwrap()[4], 4);
    assert!(r.frs[4].not_applicable_only.achieved);
    // One requirement of the last step shown satisfied makes it a plain claim.
    let top = fr5
        .iter()
        .max_by_key(|id| std.item(id).and_then(|i| i.min_sl))
        .unwrap();
    a.answers.insert(top.clone(), answer(Status::Satisfied));
    let r = compute(std, &a);
    assert_eq!(r.achieved.unwrap()[4], 4);
    assert!(!r.frs[4].not_applicable_only.achieved);
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
    assert_eq!(r.progress.met_percent, expected);
}
