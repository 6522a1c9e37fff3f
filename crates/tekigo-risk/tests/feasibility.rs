//! Feasibility against a real 4-2 assessment made with the tekigo-assess API in a project
//! on disk, and the 3-3 requirements recomputed from the catalog file.

mod common;

use common::*;
use std::path::Path;
use tekigo_assess::edit::{new_assessment, set_answer, AnswerUpdate, NewAssessment};
use tekigo_assess::project::{Component, Product};
use tekigo_assess::{Project, ProjectConfig, Status};
use tekigo_catalog::{ComponentType, Fr, Lang, SlVector};
use tekigo_risk::{derive, feasibility, Document};

/// A project with component `gw` (embedded) whose 4-2 assessment meets every FR 1
/// requirement up to SL 2 and nothing else, and the base risk model.
fn project(dir: &Path) -> Project {
    let p = Project::init(
        dir,
        ProjectConfig {
            format: 1,
            product: Product {
                name: "Test plant".into(),
                vendor: None,
                version: None,
                description: None,
                support_until: None,
            },
            components: vec![Component::new("gw", ComponentType::Embedded, None)],
            standards: vec!["62443-4-2".into()],
            language: Lang::En,
            report: Default::default(),
            review: Default::default(),
            freshness: Default::default(),
            upkeep: Default::default(),
        },
    )
    .unwrap();
    let mut a = new_assessment(
        catalog(),
        NewAssessment {
            id: "gw-4-2".into(),
            standard: "62443-4-2".into(),
            subject: "gw".into(),
            component_type: Some(ComponentType::Embedded),
            version: None,
            target_sl: Some(SlVector::uniform(2)),
            target_ml: None,
        },
    )
    .unwrap();
    let std42 = catalog().standard("62443-4-2").unwrap();
    let fr1 = Fr::ALL[0];
    let ids: Vec<String> = std42
        .items
        .iter()
        .filter(|i| i.fr == Some(fr1) && i.min_sl.is_some_and(|m| m <= 2))
        .filter(|i| tekigo_assess::results::applies_at_some_level(i, Some(ComponentType::Embedded)))
        .map(|i| i.id.clone())
        .collect();
    assert!(ids.len() > 5);
    for id in ids {
        set_answer(
            &mut a,
            &id,
            AnswerUpdate {
                status: Some(Status::Satisfied),
                reason: Some("tested".into()),
                date: "2025-01-01".into(),
                ..Default::default()
            },
        )
        .unwrap();
    }
    p.save_assessment(catalog(), &a).unwrap();
    std::fs::create_dir_all(dir.join("risk")).unwrap();
    std::fs::write(dir.join("risk/system.yaml"), BASE).unwrap();
    p
}

#[test]
fn zone_sl_t_against_the_achieved_level_of_its_components() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let doc = Document::load(&p.root).unwrap();
    let d = derive(&doc.model);
    let f = feasibility(&p, catalog(), &doc.model, &d).unwrap();
    assert_eq!(f.len(), 2);

    // Zone a, SL-T [2 2 1 0 0 0 0]: h1 is gw, achieved [2 0 0 0 0 0 0].
    let a = &f[0];
    assert_eq!(a.zone, "a");
    assert_eq!(a.components.len(), 1);
    let h1 = &a.components[0];
    assert_eq!((h1.asset.as_str(), h1.component.as_str()), ("h1", "gw"));
    assert_eq!(h1.assessment.as_deref(), Some("gw-4-2"));
    assert_eq!(h1.achieved, Some([2, 0, 0, 0, 0, 0, 0]));
    assert_eq!(h1.gap, Some([0, 2, 1, 0, 0, 0, 0]));
    assert!(!a.feasible);

    // Zone b, SL-T [4 4 3 0 0 0 2]: the same component falls short further.
    assert_eq!(f[1].components[0].gap, Some([2, 4, 3, 0, 0, 0, 2]));
}

#[test]
fn a_component_without_assessment_is_not_feasible_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut doc = Document::load(&p.root).unwrap();
    doc.model.zones[0].assets = vec!["h2".into()];
    doc.model.assets[1].component = Some("unassessed".into());
    let f = feasibility(&p, catalog(), &doc.model, &derive(&doc.model)).unwrap();
    let c = &f[0].components[0];
    assert_eq!((c.asset.as_str(), c.assessment.as_ref()), ("h2", None));
    assert_eq!((c.achieved, c.gap), (None, None));
    assert!(!f[0].feasible);
}

#[test]
fn a_zone_whose_components_reach_its_sl_t_is_feasible() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut doc = Document::load(&p.root).unwrap();
    // Only threats on IAC at SL 2: gw's achieved [2 0 ...] is enough.
    doc.model.derivation.threat_types[0].frs = [("IAC".to_string(), 0)].into_iter().collect();
    let d = derive(&doc.model);
    let f = feasibility(&p, catalog(), &doc.model, &d).unwrap();
    assert_eq!(f[0].sl_t, [2, 0, 0, 0, 0, 0, 0]);
    assert_eq!(f[0].components[0].gap, Some([0; 7]));
    // The conduit into the zone has an SL-T and nobody assessed it: not known to reach it.
    let c1 = d.conduit("c1").unwrap().sl_t;
    assert!(c1.iter().any(|&l| l > 0), "{c1:?}");
    assert_eq!(f[0].conduits_short, ["c1"]);
    assert!(f[0].conduits[0].system.is_empty());
    assert!(!f[0].feasible);

    // A 3-3 assessment of the conduit meeting every SR up to its SL-T closes it.
    let std33 = catalog().standard("62443-3-3").unwrap();
    let mut a = system_assessment("c1-3-3", "c1", SlVector(c1));
    let in_scope: Vec<String> = tekigo_assess::results::rows(std33, &a)
        .iter()
        .filter(|r| r.in_scope)
        .map(|r| r.item.id.clone())
        .collect();
    for (n, id) in in_scope.iter().enumerate() {
        // One met by a countermeasure at the conduit: it counts in a system's SL-A.
        let compensating = n == 0;
        set_answer(
            &mut a,
            id,
            AnswerUpdate {
                status: Some(if compensating {
                    Status::Compensating
                } else {
                    Status::Satisfied
                }),
                countermeasure: compensating.then(|| "jump host".into()),
                reason: Some("inspected".into()),
                date: "2025-01-01".into(),
                ..Default::default()
            },
        )
        .unwrap();
    }
    p.save_assessment(catalog(), &a).unwrap();
    let f = feasibility(&p, catalog(), &doc.model, &d).unwrap();
    let fit = &f[0].conduits[0];
    assert!(fit.system[0].sl_a.iter().zip(c1).all(|(a, t)| *a >= t));
    assert_eq!(fit.system[0].gap, [0; 7]);
    assert!(fit.system[0].countermeasures[0].ends_with(": jump host"));
    assert!(f[0].conduits_short.is_empty());
    assert!(f[0].feasible);
}

#[test]
fn system_requirements_are_the_3_3_items_at_or_below_the_zone_sl_t() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let doc = Document::load(&p.root).unwrap();
    let f = feasibility(&p, catalog(), &doc.model, &derive(&doc.model)).unwrap();
    let ids: Vec<&str> = f[0]
        .system_requirements
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    // Zone a is [2 2 1 0 0 0 0].
    assert!(ids.contains(&"SR 1.1") && ids.contains(&"SR 1.1 RE(1)") && ids.contains(&"SR 3.1"));
    assert!(!ids.contains(&"SR 1.1 RE(2)") && !ids.contains(&"SR 3.1 RE(1)"));
    assert!(ids
        .iter()
        .all(|id| id.starts_with("SR 1.") || id.starts_with("SR 2.") || id.starts_with("SR 3.")));

    // Recount from the catalog file itself, with a plain rule.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalogs/iec62443-3-3.yaml");
    let file: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let sl_t = [2u64, 2, 1, 0, 0, 0, 0];
    let expected: Vec<String> = file["items"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter(|i| match (i["fr"].as_u64(), i["min_sl"].as_u64()) {
            (Some(fr), Some(min)) => min >= 1 && min <= sl_t[fr as usize - 1],
            _ => false,
        })
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, expected.iter().map(String::as_str).collect::<Vec<_>>());
}

/// A 4-2 assessment of `subject` with an answer of every kind the prefill rule tells apart,
/// picked by a small generator from `seed`: unanswered, satisfied, not satisfied, not
/// applicable, compensating, deferred, and a satisfied scan draft nobody confirmed.
fn random_assessment(
    id: &str,
    subject: &str,
    ty: ComponentType,
    seed: &mut u64,
) -> tekigo_assess::Assessment {
    let mut a = new_assessment(
        catalog(),
        NewAssessment {
            id: id.into(),
            standard: "62443-4-2".into(),
            subject: subject.into(),
            component_type: Some(ty),
            version: None,
            target_sl: Some(SlVector::uniform(2)),
            target_ml: None,
        },
    )
    .unwrap();
    let std42 = catalog().standard("62443-4-2").unwrap();
    for item in std42
        .items
        .iter()
        .filter(|i| i.min_sl.is_some() && i.binds(ty))
    {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let pick = (*seed >> 33) % 7;
        let status = [
            Status::Satisfied,
            Status::Satisfied,
            Status::NotSatisfied,
            Status::NotApplicable,
            Status::Compensating,
            Status::Partial,
            Status::Satisfied,
        ][pick as usize];
        if pick == 0 && (*seed >> 20).is_multiple_of(2) {
            continue;
        }
        let mut answer = tekigo_assess::Answer::new(status, "2025-01-01".into());
        answer.reason = "why".into();
        if status == Status::Compensating {
            answer.countermeasure = Some("firewall".into());
        }
        if pick == 5 {
            answer.deferred_to = Some(tekigo_assess::Role::Integrator);
        }
        if pick == 6 {
            answer.origin = tekigo_assess::Origin::Scan;
        }
        a.answers.insert(item.id.clone(), answer);
    }
    a
}

/// The prefill rule redone plainly: the mapping file read as YAML, each component's
/// answers looked at one by one.
fn plain_prefill(
    components: &[(ComponentType, &tekigo_assess::Assessment)],
) -> std::collections::BTreeMap<String, Option<Status>> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../catalogs/mappings/62443-4-2_to_62443-3-3.yaml"),
    )
    .unwrap();
    let file: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let pairs: Vec<(String, String, String)> = file["mappings"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap().to_string();
            (s("from"), s("to"), s("relationship"))
        })
        .collect();
    let std42 = catalog().standard("62443-4-2").unwrap();
    let std33 = catalog().standard("62443-3-3").unwrap();
    let mut out = std::collections::BTreeMap::new();
    for item in std33
        .items
        .iter()
        .filter(|i| i.min_sl.is_some() && i.fr.is_some())
    {
        let mut verdicts = Vec::new();
        let mut covering = true;
        for (ty, a) in components {
            let mine: Vec<&(String, String, String)> = pairs
                .iter()
                .filter(|(from, to, _)| {
                    to == &item.id
                        && std42.item(from).is_some_and(|i| {
                            i.component_type.is_none() || i.component_type == Some(*ty)
                        })
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            for (_, _, rel) in &mine {
                if rel != "equal" && rel != "superset" {
                    covering = false;
                }
            }
            let states: Vec<char> = mine
                .iter()
                .map(|(from, _, _)| match a.answers.get(from) {
                    None => 'U',
                    Some(x) if x.deferred_to.is_some() => 'D',
                    Some(x) if x.origin == tekigo_assess::Origin::Scan => 'U',
                    Some(x) if matches!(x.status, Status::Satisfied | Status::NotApplicable) => 'M',
                    Some(_) => 'N',
                })
                .collect();
            verdicts.push(
                ['D', 'N', 'U', 'M']
                    .into_iter()
                    .find(|c| states.contains(c))
                    .unwrap(),
            );
        }
        let status = if verdicts.is_empty() {
            None
        } else if verdicts.contains(&'D') || verdicts.contains(&'N') {
            Some(Status::NotSatisfied)
        } else if verdicts.contains(&'U') {
            None
        } else if covering {
            Some(Status::Satisfied)
        } else {
            Some(Status::Partial)
        };
        out.insert(item.id.clone(), status);
    }
    out
}

#[test]
fn a_zone_prefill_agrees_with_a_plain_recomputation() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut doc = Document::load(&p.root).unwrap();
    // Zone a: the embedded gateway (h1) and a network device (h2).
    doc.model.assets[1].component = Some("nw".into());
    let mut seed = 17u64;
    let mut picked_up_seen = 0;
    for round in 0..12 {
        let gw = random_assessment("gw-4-2", "gw", ComponentType::Embedded, &mut seed);
        let nw = random_assessment("nw-4-2", "nw", ComponentType::Network, &mut seed);
        let mut zone = system_assessment("a-3-3", "a", SlVector::uniform(4));
        let summary = tekigo_risk::prefill::prefill(
            catalog(),
            &p.config,
            &[gw.clone(), nw.clone()],
            &doc.model,
            "a",
            &mut zone,
            Lang::En,
        )
        .unwrap();
        tekigo_assess::check(catalog(), &zone).unwrap();
        let expected = plain_prefill(&[
            (ComponentType::Embedded, &gw),
            (ComponentType::Network, &nw),
        ]);
        for (id, status) in &expected {
            assert_eq!(
                zone.answers.get(id).map(|a| a.status),
                *status,
                "round {round}: {id}"
            );
        }
        assert!(expected.values().any(|s| s.is_some()), "round {round}");
        // Suggestions are not a claim: nothing counts until a person confirms it.
        let std33 = catalog().standard("62443-3-3").unwrap();
        let r = tekigo_assess::compute_with(std33, &zone, p.config.review);
        assert_eq!(r.achieved, Some([0; 7]), "round {round}");
        // A component's deferral is the zone's obligation, listed until answered.
        let obligations = tekigo_assess::results::obligations(std33, &zone);
        let listed: Vec<&str> = obligations.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(listed, summary.picked_up, "round {round}");
        picked_up_seen += listed.len();
        for o in &obligations {
            assert_eq!(o.deferred_to, tekigo_assess::Role::Integrator);
            assert!(!o.picked_up.is_empty());
            // Each names a requirement its component deferred, not merely a mapped one.
            for entry in &o.picked_up {
                let (aid, id) = entry.split_once(' ').unwrap();
                let from = [&gw, &nw].into_iter().find(|a| a.id == aid).unwrap();
                assert!(
                    from.answers
                        .get(id)
                        .is_some_and(|x| x.deferred_to.is_some()),
                    "round {round}: {entry}"
                );
            }
        }
    }
    assert!(picked_up_seen > 0);
}

#[test]
fn a_component_nobody_assessed_leaves_the_zone_requirement_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut doc = Document::load(&p.root).unwrap();
    doc.model.assets[1].component = Some("unassessed".into());
    let gw = p.load_assessment(catalog(), "gw-4-2").unwrap();
    let mut zone = system_assessment("a-3-3", "a", SlVector::uniform(2));
    let s = tekigo_risk::prefill::prefill(
        catalog(),
        &p.config,
        &[gw],
        &doc.model,
        "a",
        &mut zone,
        Lang::En,
    )
    .unwrap();
    // gw meets SR 1.1's CR 1.1, but the other component is not known: no answer.
    assert!(s.unknown.contains(&"SR 1.1".to_string()), "{s:?}");
    assert!(!zone.answers.contains_key("SR 1.1"));
    assert!(s.satisfied.is_empty());
}

/// A new 62443-3-3 assessment of a zone or conduit.
fn system_assessment(id: &str, subject: &str, sl_t: SlVector) -> tekigo_assess::Assessment {
    new_assessment(
        catalog(),
        NewAssessment {
            id: id.into(),
            standard: "62443-3-3".into(),
            subject: subject.into(),
            component_type: None,
            version: None,
            target_sl: Some(sl_t),
            target_ml: None,
        },
    )
    .unwrap()
}
