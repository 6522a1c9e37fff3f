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
    let f = feasibility(&p, catalog(), &doc.model, &derive(&doc.model)).unwrap();
    assert_eq!(f[0].sl_t, [2, 0, 0, 0, 0, 0, 0]);
    assert_eq!(f[0].components[0].gap, Some([0; 7]));
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
